-- Intelligence events, capture from casework and the release of C reports (issue 12 §1 and §2).
--
-- 1. Events: something that happened at a time and a place — a sighting, an incident, where a missing
--    child was found, where a child went missing from, a submission of intelligence. An event has a
--    date, a place (an intelligence location, or only a locality when no more is known), what was seen
--    and where it came from. It is linked to any number of children, persons, locations and objects
--    (intel_event_links, as a report's links are: read only with the event).
--
--    A missing episode's "where found" becomes a found_location event, one per episode at most
--    (source_record_kind 'missing_episode', source_record_id the episode), at an intelligence location,
--    linked to the child and the location; the service also writes the child's found_at link to the
--    location (intel_links, with the same source record). Hotspot queries count places where children
--    were found as found_location events grouped by location_id (or by the location's locality):
--    one row per episode, never counted twice however often the link is seen.
--
-- 2. Capture: a link made from a concern, a return interview, a strategy meeting or a missing episode
--    says which record it came from (intel_links.source_record_kind and source_record_id), beside the
--    words of its source ("Return interview 12 March 2026"). No foreign key can name one of four
--    tables, and the record may be one of a child the intelligence role cannot read later: the link
--    keeps only its kind and id, checked by the service when it is made.
--
-- 3. Release: the owning agency's analyst releases a C report to the partnership's intelligence roles
--    with a reason (intel_report_releases, one per report) and sets released_to_partnership; nothing
--    else of a report is ever changed by a request, and a release is never undone.

ALTER TABLE intel_links
  ADD COLUMN source_record_kind text CHECK (source_record_kind IN ('concern', 'return_interview', 'strategy_meeting', 'missing_episode')),
  ADD COLUMN source_record_id uuid,
  ADD CONSTRAINT intel_links_source_record CHECK ((source_record_kind IS NULL) = (source_record_id IS NULL));

CREATE TABLE intel_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  kind text NOT NULL CHECK (kind IN ('sighting', 'incident', 'found_location', 'missing_from', 'submission')),
  occurred_on date NOT NULL,
  location_id uuid,
  locality_id uuid,
  description text NOT NULL CHECK (btrim(description) <> ''),
  source text NOT NULL CHECK (btrim(source) <> ''),
  source_record_kind text CHECK (source_record_kind IN ('concern', 'return_interview', 'strategy_meeting', 'missing_episode')),
  source_record_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users (id),
  created_by_name text,
  FOREIGN KEY (partnership_id, location_id) REFERENCES intel_locations (partnership_id, id),
  FOREIGN KEY (partnership_id, locality_id) REFERENCES localities (partnership_id, id),
  UNIQUE (partnership_id, id),
  CHECK ((source_record_kind IS NULL) = (source_record_id IS NULL)),
  -- Where a child was found or went missing from is a place, or the analysts cannot count it.
  CHECK (kind NOT IN ('found_location', 'missing_from') OR location_id IS NOT NULL OR locality_id IS NOT NULL)
);
CREATE INDEX intel_events_partnership_idx ON intel_events (partnership_id, occurred_on DESC, created_at DESC);
CREATE INDEX intel_events_location_idx ON intel_events (location_id, kind) WHERE location_id IS NOT NULL;
-- One found location per missing episode.
CREATE UNIQUE INDEX intel_events_episode_found_idx ON intel_events (partnership_id, source_record_id)
  WHERE kind = 'found_location' AND source_record_kind = 'missing_episode';

CREATE TABLE intel_event_links (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  event_id uuid NOT NULL,
  entity_kind text NOT NULL CHECK (entity_kind IN ('child', 'person', 'location', 'object')),
  entity_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users (id),
  created_by_name text,
  FOREIGN KEY (partnership_id, event_id) REFERENCES intel_events (partnership_id, id),
  UNIQUE (event_id, entity_kind, entity_id)
);
CREATE INDEX intel_event_links_entity_idx ON intel_event_links (entity_id, created_at DESC);

-- The linked entity is a row of the event's partnership that the writer sees (as lantern_intel_link_ends, 0300).
CREATE FUNCTION lantern_intel_event_link_end() RETURNS trigger LANGUAGE plpgsql AS $$
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
    RAISE EXCEPTION 'lantern: the % % of an event link is not a record of its partnership', NEW.entity_kind, NEW.entity_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER intel_event_links_end AFTER INSERT OR UPDATE ON intel_event_links FOR EACH ROW EXECUTE FUNCTION lantern_intel_event_link_end();

SELECT lantern_rls_table('intel_events', 'SELECT, INSERT');
SELECT lantern_standard_policy('intel_events', '_intelligence', 'partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_actor_roles()) && ARRAY[''coordinator'', ''analyst'']::text[]');
SELECT lantern_rls_table('intel_event_links', 'SELECT, INSERT');
SELECT lantern_standard_policy('intel_event_links', '_intelligence',
  'partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_actor_roles()) && ARRAY[''coordinator'', ''analyst'']::text[]'
  || ' AND EXISTS (SELECT 1 FROM intel_events e WHERE e.id = event_id)');

-- ---- The release of a C report ----
CREATE TABLE intel_report_releases (
  report_id uuid PRIMARY KEY,
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  agency_id uuid NOT NULL,
  reason text NOT NULL CHECK (btrim(reason) <> ''),
  released_at timestamptz NOT NULL DEFAULT now(),
  released_by uuid REFERENCES users (id),
  released_by_name text,
  FOREIGN KEY (partnership_id, report_id, agency_id) REFERENCES intel_reports (partnership_id, id, submitting_agency_id)
);

-- Read by the partnership's intelligence roles: a release exists only for a released report, which
-- they all read (and a policy here that read intel_reports would recurse through intel_reports_release
-- below); written only by the owning agency's analyst.
SELECT lantern_rls_table('intel_report_releases', 'SELECT, INSERT');
CREATE POLICY intel_report_releases_read ON intel_report_releases FOR SELECT
  USING (partnership_id = (SELECT lantern_partnership())
    AND (SELECT lantern_actor_roles()) && ARRAY['coordinator', 'analyst']::text[]);
CREATE POLICY intel_report_releases_owner ON intel_report_releases FOR INSERT
  WITH CHECK (partnership_id = (SELECT lantern_partnership())
    AND (SELECT lantern_actor_roles()) && ARRAY['analyst']::text[]
    AND agency_id = (SELECT lantern_agency()));

-- The one change of a report: its release. Restrictive, so the permissive policy of 0301 (the
-- intelligence roles of the submitting agency) is narrowed to its analyst, a C report, and true.
GRANT UPDATE (released_to_partnership) ON intel_reports TO lantern_app;
CREATE POLICY intel_reports_release ON intel_reports AS RESTRICTIVE FOR UPDATE
  USING ((SELECT lantern_actor_roles()) && ARRAY['analyst']::text[] AND submitting_agency_id = (SELECT lantern_agency()) AND handling_code = 'C')
  WITH CHECK (released_to_partnership AND EXISTS (SELECT 1 FROM intel_report_releases x WHERE x.report_id = intel_reports.id));
