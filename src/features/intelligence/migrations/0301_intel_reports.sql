-- Graded intelligence reports (issue 12 §2), on the UK 3×5×2 model: how reliable the source is (1
-- reliable, 2 untested, 3 not reliable), how the source knows it (A known directly, B known indirectly
-- but corroborated, C known indirectly, D not known, E suspected to be false) and how it may be handled
-- (P: lawful sharing permitted; C: disseminated only under the conditions written with it).
--
-- Partners read the sanitised text. The original, unsanitised text is a row of its own table that only
-- the analyst role of the agency that submitted the report reads (the police own it). The handling code
-- is enforced here, not only in the pages: a C report is read only by the submitting agency's
-- intelligence roles unless it was released to the partnership's intelligence roles when submitted
-- (docs/DECISIONS.md 30). A report's links to entities live beside it (intel_report_links) so that a
-- link is read only with its report: a report withheld by its handling code is not even counted on an
-- entity's page.
--
-- Rows are added, never edited or deleted by a request (SELECT, INSERT).

CREATE TABLE intel_reports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  source_evaluation text NOT NULL CHECK (source_evaluation IN ('1', '2', '3')),
  intelligence_assessment text NOT NULL CHECK (intelligence_assessment IN ('A', 'B', 'C', 'D', 'E')),
  handling_code text NOT NULL CHECK (handling_code IN ('P', 'C')),
  handling_conditions text,
  -- A C report released to the partnership's intelligence roles (under its conditions); P needs no release.
  released_to_partnership boolean NOT NULL DEFAULT false,
  obtained_on date NOT NULL,
  submitting_agency_id uuid NOT NULL,
  officer_name text NOT NULL CHECK (btrim(officer_name) <> ''),
  sanitised_text text NOT NULL CHECK (btrim(sanitised_text) <> ''),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users (id),
  created_by_name text,
  FOREIGN KEY (partnership_id, submitting_agency_id) REFERENCES agencies (partnership_id, id),
  UNIQUE (partnership_id, id),
  UNIQUE (partnership_id, id, submitting_agency_id),
  -- C always says its conditions; P has none and is never "released" (it is shared already).
  CHECK ((handling_code = 'C') = (handling_conditions IS NOT NULL AND btrim(handling_conditions) <> '')),
  CHECK (handling_code = 'C' OR NOT released_to_partnership)
);
CREATE INDEX intel_reports_partnership_idx ON intel_reports (partnership_id, created_at DESC);

-- The original text, with the agency that owns it (the report's submitting agency: the foreign key says so).
CREATE TABLE intel_report_originals (
  report_id uuid PRIMARY KEY,
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  agency_id uuid NOT NULL,
  original_text text NOT NULL CHECK (btrim(original_text) <> ''),
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partnership_id, report_id, agency_id) REFERENCES intel_reports (partnership_id, id, submitting_agency_id)
);

-- A report is about a child, a person of concern, a location or an object.
CREATE TABLE intel_report_links (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  report_id uuid NOT NULL,
  entity_kind text NOT NULL CHECK (entity_kind IN ('child', 'person', 'location', 'object')),
  entity_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users (id),
  created_by_name text,
  FOREIGN KEY (partnership_id, report_id) REFERENCES intel_reports (partnership_id, id),
  UNIQUE (report_id, entity_kind, entity_id)
);
CREATE INDEX intel_report_links_entity_idx ON intel_report_links (entity_id, created_at DESC);

-- The linked entity is a row of the report's partnership that the writer sees (as lantern_intel_link_ends, 0300).
CREATE FUNCTION lantern_intel_report_link_end() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  found_end boolean;
BEGIN
  found_end := CASE NEW.entity_kind
    WHEN 'child' THEN EXISTS (SELECT 1 FROM children WHERE id = NEW.entity_id AND partnership_id = NEW.partnership_id)
    WHEN 'person' THEN EXISTS (SELECT 1 FROM persons_of_concern WHERE id = NEW.entity_id AND partnership_id = NEW.partnership_id)
    WHEN 'location' THEN EXISTS (SELECT 1 FROM intel_locations WHERE id = NEW.entity_id AND partnership_id = NEW.partnership_id)
    WHEN 'object' THEN EXISTS (SELECT 1 FROM intel_objects WHERE id = NEW.entity_id AND partnership_id = NEW.partnership_id)
  END;
  IF NOT found_end THEN
    RAISE EXCEPTION 'lantern: the % % of a report link is not a record of its partnership', NEW.entity_kind, NEW.entity_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER intel_report_links_end AFTER INSERT OR UPDATE ON intel_report_links FOR EACH ROW EXECUTE FUNCTION lantern_intel_report_link_end();

-- Row-level security. A report: the acting partnership's intelligence roles, P or released C for all of
-- them, an unreleased C for its submitting agency only; a report is submitted as one's own agency.
SELECT lantern_rls_table('intel_reports', 'SELECT, INSERT');
CREATE POLICY intel_reports_handling ON intel_reports
  USING (partnership_id = (SELECT lantern_partnership())
    AND (SELECT lantern_actor_roles()) && ARRAY['coordinator', 'analyst']::text[]
    AND (handling_code = 'P' OR released_to_partnership OR submitting_agency_id = (SELECT lantern_agency())))
  WITH CHECK (partnership_id = (SELECT lantern_partnership())
    AND (SELECT lantern_actor_roles()) && ARRAY['coordinator', 'analyst']::text[]
    AND submitting_agency_id = (SELECT lantern_agency()));

-- The original text: the analyst role of the owning agency alone, reading and writing.
SELECT lantern_rls_table('intel_report_originals', 'SELECT, INSERT');
SELECT lantern_standard_policy('intel_report_originals', '_owner',
  'partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_actor_roles()) && ARRAY[''analyst'']::text[] AND agency_id = (SELECT lantern_agency())');

-- A report's links: read and written only with a report the context reads.
SELECT lantern_rls_table('intel_report_links', 'SELECT, INSERT');
SELECT lantern_standard_policy('intel_report_links', '_intelligence',
  'partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_actor_roles()) && ARRAY[''coordinator'', ''analyst'']::text[]'
  || ' AND EXISTS (SELECT 1 FROM intel_reports r WHERE r.id = report_id)');
