-- Cohort flags on a child (issue 10 §3) and the child's locality.
--
-- A flag is a fact about the child over a period — looked after, on a child protection plan, missing
-- from education, referred to the National Referral Mechanism … — with the day it started, the day it
-- ended (open while NULL), where the information came from (source text and the agency that holds it)
-- and a note. One open flag per kind: a new period starts after the last one ended.
--
-- child_flag_changes keeps every addition, ending and correction (who, when, what changed): the
-- chronology reads flag changes from there, and the audit row of the same transaction says who saw it.
--
-- The child's legal-status booleans of migration 0100 (looked_after, placement, child_protection_plan,
-- child_in_need, youth_justice) are from now on kept from the open flags by a trigger, so the risk
-- assessment's pre-filled header and the API read the same truth as the flags page.

CREATE TABLE child_flags (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  child_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('looked_after', 'child_protection_plan', 'child_in_need', 'missing_education', 'elective_home_education',
    'youth_justice', 'substance_misuse', 'sexual_health', 'trafficking_nrm', 'send')),
  started_on date NOT NULL,
  ended_on date,
  source text NOT NULL,
  source_agency_id uuid,
  note text,
  -- Looked after: the placing authority, and whether the child was placed here by another authority or
  -- placed out of this area by ours.
  placing_authority text,
  placed_here_by_other_authority boolean NOT NULL DEFAULT false,
  placed_out_of_area boolean NOT NULL DEFAULT false,
  -- Trafficking: the National Referral Mechanism referral and its decision, if known.
  nrm_referred_on date,
  nrm_decision text CHECK (nrm_decision IN ('awaiting', 'reasonable_grounds_positive', 'reasonable_grounds_negative', 'conclusive_grounds_positive',
    'conclusive_grounds_negative')),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users (id),
  created_by_name text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz,
  ended_by uuid REFERENCES users (id),
  ended_by_name text,
  FOREIGN KEY (partnership_id, child_id) REFERENCES children (partnership_id, id),
  FOREIGN KEY (partnership_id, source_agency_id) REFERENCES agencies (partnership_id, id),
  UNIQUE (partnership_id, id),
  CHECK (ended_on IS NULL OR ended_on >= started_on),
  CHECK ((ended_on IS NULL) = (ended_at IS NULL)),
  CHECK (kind = 'looked_after' OR (placing_authority IS NULL AND NOT placed_here_by_other_authority AND NOT placed_out_of_area)),
  CHECK (kind = 'trafficking_nrm' OR (nrm_referred_on IS NULL AND nrm_decision IS NULL))
);
CREATE INDEX child_flags_child_idx ON child_flags (child_id, started_on DESC);
CREATE UNIQUE INDEX child_flags_one_open_idx ON child_flags (child_id, kind) WHERE ended_on IS NULL;
SELECT lantern_child_table('child_flags', 'SELECT, INSERT, UPDATE (started_on, ended_on, source, source_agency_id, note, placing_authority, '
  'placed_here_by_other_authority, placed_out_of_area, nrm_referred_on, nrm_decision, updated_at, ended_at, ended_by, ended_by_name)');

-- Every change to a flag, never changed itself: what the chronology shows as "flag added / ended / corrected".
CREATE TABLE child_flag_changes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  child_id uuid NOT NULL,
  flag_id uuid NOT NULL,
  kind text NOT NULL,
  change text NOT NULL CHECK (change IN ('added', 'ended', 'corrected')),
  -- The fields a correction changed, each { "from": …, "to": … }; for an addition or ending, the flag's dates.
  changed_fields jsonb NOT NULL DEFAULT '{}',
  reason text,
  changed_at timestamptz NOT NULL DEFAULT now(),
  changed_by uuid REFERENCES users (id),
  changed_by_name text,
  FOREIGN KEY (partnership_id, child_id) REFERENCES children (partnership_id, id),
  FOREIGN KEY (partnership_id, flag_id) REFERENCES child_flags (partnership_id, id)
);
CREATE INDEX child_flag_changes_child_idx ON child_flag_changes (child_id, changed_at DESC);
SELECT lantern_child_table('child_flag_changes', 'SELECT, INSERT');

-- The child's open flags, on the child: the list filters "any of these flags" inside the row it reads
-- in order (no probe of child_flags per row), and shows them without a sub-select.
ALTER TABLE children ADD COLUMN open_flags text[] NOT NULL DEFAULT '{}';
CREATE INDEX children_open_flags_idx ON children USING gin (open_flags);

-- The legal-status booleans and open flags on the child, from its open flags, for every child a statement touched
-- (statement-level: a set-based seed of thousands of flags is one UPDATE). SECURITY DEFINER: whoever
-- may flag a child keeps these in step, even where they may not change the child's other details.
CREATE FUNCTION lantern_child_flags_sync() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  UPDATE children c SET
    looked_after = f.looked_after, placement = CASE WHEN f.looked_after THEN c.placement END,
    child_protection_plan = f.cpp, child_in_need = f.cin, youth_justice = f.yj, open_flags = f.kinds
  FROM (SELECT k.child_id, coalesce(array_agg(o.kind ORDER BY o.kind) FILTER (WHERE o.kind IS NOT NULL), '{}') AS kinds,
               coalesce(bool_or(o.kind = 'looked_after'), false) AS looked_after, coalesce(bool_or(o.kind = 'child_protection_plan'), false) AS cpp,
               coalesce(bool_or(o.kind = 'child_in_need'), false) AS cin, coalesce(bool_or(o.kind = 'youth_justice'), false) AS yj
          FROM (SELECT DISTINCT child_id FROM new_rows) k
          LEFT JOIN child_flags o ON o.child_id = k.child_id AND o.ended_on IS NULL
         GROUP BY k.child_id) f
  WHERE c.id = f.child_id
    AND (c.looked_after, c.child_protection_plan, c.child_in_need, c.youth_justice, c.open_flags)
        IS DISTINCT FROM (f.looked_after, f.cpp, f.cin, f.yj, f.kinds);
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION lantern_child_flags_sync() FROM PUBLIC;
CREATE TRIGGER child_flags_sync_insert AFTER INSERT ON child_flags REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lantern_child_flags_sync();
CREATE TRIGGER child_flags_sync_update AFTER UPDATE ON child_flags REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lantern_child_flags_sync();

-- An existing installation: the legal-status booleans become open flags, from the day the record last
-- changed, with the source saying so (a practitioner corrects the date when they know it).
INSERT INTO child_flags (partnership_id, child_id, kind, started_on, source, created_at, updated_at)
SELECT c.partnership_id, c.id, k.kind, (c.updated_at AT TIME ZONE 'Europe/London')::date, 'Carried over from the child''s record', c.updated_at, c.updated_at
  FROM children c
  CROSS JOIN LATERAL (VALUES ('looked_after', c.looked_after), ('child_protection_plan', c.child_protection_plan),
                             ('child_in_need', c.child_in_need), ('youth_justice', c.youth_justice),
                             ('missing_education', c.education_status = 'missing_education'),
                             ('elective_home_education', c.education_status = 'elective_home'),
                             ('send', c.send IN ('sen_support', 'ehcp', 'disability'))) k (kind, present)
 WHERE k.present;
INSERT INTO child_flag_changes (partnership_id, child_id, flag_id, kind, change, changed_fields, changed_at, changed_by_name)
SELECT f.partnership_id, f.child_id, f.id, f.kind, 'added', jsonb_build_object('startedOn', f.started_on), f.created_at, 'Lantern (carried over)'
  FROM child_flags f;

-- Where the child lives within the partnership: the partnership's own localities (districts, areas,
-- local authority teams), for the children list's filter and counts by area.
CREATE TABLE localities (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  name text NOT NULL,
  UNIQUE (partnership_id, name),
  UNIQUE (partnership_id, id)
);
SELECT lantern_partnership_table('localities', 'SELECT');
ALTER TABLE children ADD COLUMN locality_id uuid,
  ADD CONSTRAINT children_locality_fk FOREIGN KEY (partnership_id, locality_id) REFERENCES localities (partnership_id, id);
CREATE INDEX children_locality_idx ON children (locality_id, family_name, given_name, id) WHERE locality_id IS NOT NULL;

-- The agencies working with the child now (the owning agency and open involvements), on the child, for
-- the list's agency filter: checked in the row, not by a probe of child_involvements per row.
ALTER TABLE children ADD COLUMN agency_ids uuid[] NOT NULL DEFAULT '{}';
CREATE FUNCTION lantern_child_agencies_sync() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  UPDATE children c SET agency_ids = a.ids
    FROM (SELECT k.child_id, ARRAY(SELECT DISTINCT x FROM unnest(array_append(array_agg(i.agency_id) FILTER (WHERE i.agency_id IS NOT NULL), ch.owning_agency_id)) x
                                   WHERE x IS NOT NULL ORDER BY x) AS ids
            FROM (SELECT DISTINCT child_id FROM new_rows) k
            JOIN children ch ON ch.id = k.child_id
            LEFT JOIN child_involvements i ON i.child_id = k.child_id AND i.ended_on IS NULL
           GROUP BY k.child_id, ch.owning_agency_id) a
   WHERE c.id = a.child_id AND c.agency_ids IS DISTINCT FROM a.ids;
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION lantern_child_agencies_sync() FROM PUBLIC;
CREATE TRIGGER child_involvements_agencies_insert AFTER INSERT ON child_involvements REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lantern_child_agencies_sync();
CREATE TRIGGER child_involvements_agencies_update AFTER UPDATE ON child_involvements REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lantern_child_agencies_sync();
-- A new child, or a change of owning agency: the same, by the child's own id.
CREATE FUNCTION lantern_child_owner_agencies() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.agency_ids := ARRAY(SELECT DISTINCT x FROM unnest(array_append(
    ARRAY(SELECT i.agency_id FROM child_involvements i WHERE i.child_id = NEW.id AND i.ended_on IS NULL), NEW.owning_agency_id)) x
    WHERE x IS NOT NULL ORDER BY x);
  RETURN NEW;
END
$$;
CREATE TRIGGER children_owner_agencies BEFORE INSERT OR UPDATE OF owning_agency_id ON children
  FOR EACH ROW EXECUTE FUNCTION lantern_child_owner_agencies();
UPDATE children c SET agency_ids = ARRAY(SELECT DISTINCT x FROM unnest(array_append(
    ARRAY(SELECT i.agency_id FROM child_involvements i WHERE i.child_id = c.id AND i.ended_on IS NULL), c.owning_agency_id)) x ORDER BY x);
CREATE INDEX children_agency_ids_idx ON children USING gin (agency_ids);
