-- One truth for missing from education and elective home education (issue 10; DECISIONS 27). They are
-- flags — a period with a start, an end and a source (0130) — and were also values of the record's
-- education status, so the two could disagree. From here the flags are the truth: the status keeps
-- the setting (in education, excluded, alternative provision, employment or training, NEET) and can
-- no longer say either, nor say "in education" while either flag is open.

-- A record that says so without the open flag gets the flag, from the day the record last changed,
-- with the source saying so (a practitioner corrects the date when they know it) — unless a flag of
-- that kind was ended since the record last changed: that ending is the newer word.
WITH added AS (
  INSERT INTO child_flags (partnership_id, child_id, kind, started_on, source, created_at, updated_at, created_by_name)
  SELECT c.partnership_id, c.id, k.kind, least((c.updated_at AT TIME ZONE 'Europe/London')::date, (now() AT TIME ZONE 'Europe/London')::date),
         'Carried over from the child''s education status', now(), now(), 'Lantern (carried over)'
    FROM children c
    JOIN (VALUES ('missing_education', 'missing_education'), ('elective_home', 'elective_home_education')) k (status, kind) ON k.status = c.education_status
   WHERE NOT EXISTS (SELECT 1 FROM child_flags f WHERE f.child_id = c.id AND f.kind = k.kind AND (f.ended_on IS NULL OR f.ended_at >= c.updated_at))
  RETURNING partnership_id, child_id, id, kind, started_on, created_at, created_by_name)
INSERT INTO child_flag_changes (partnership_id, child_id, flag_id, kind, change, changed_fields, changed_at, changed_by_name)
SELECT partnership_id, child_id, id, kind, 'added', jsonb_build_object('startedOn', started_on), created_at, created_by_name FROM added;

-- The child's open flags on the record (0130) keep the status from contradicting them: a new missing
-- from education or elective home education flag clears "in education", in the statement that adds it.
CREATE OR REPLACE FUNCTION lantern_child_flags_sync() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  UPDATE children c SET
    looked_after = f.looked_after, placement = CASE WHEN f.looked_after THEN c.placement END,
    child_protection_plan = f.cpp, child_in_need = f.cin, youth_justice = f.yj, open_flags = f.kinds,
    education_status = CASE WHEN c.education_status = 'in_education' AND f.out_of_school THEN NULL ELSE c.education_status END
  FROM (SELECT k.child_id, coalesce(array_agg(o.kind ORDER BY o.kind) FILTER (WHERE o.kind IS NOT NULL), '{}') AS kinds,
               coalesce(bool_or(o.kind = 'looked_after'), false) AS looked_after, coalesce(bool_or(o.kind = 'child_protection_plan'), false) AS cpp,
               coalesce(bool_or(o.kind = 'child_in_need'), false) AS cin, coalesce(bool_or(o.kind = 'youth_justice'), false) AS yj,
               coalesce(bool_or(o.kind IN ('missing_education', 'elective_home_education')), false) AS out_of_school
          FROM (SELECT DISTINCT child_id FROM new_rows) k
          LEFT JOIN child_flags o ON o.child_id = k.child_id AND o.ended_on IS NULL
         GROUP BY k.child_id) f
  WHERE c.id = f.child_id
    AND (c.looked_after, c.child_protection_plan, c.child_in_need, c.youth_justice, c.open_flags,
         coalesce(c.education_status = 'in_education' AND f.out_of_school, false))
        IS DISTINCT FROM (f.looked_after, f.cpp, f.cin, f.yj, f.kinds, false);
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION lantern_child_flags_sync() FROM PUBLIC;

-- The status moves to the flags: the setting is no longer known from it.
UPDATE children SET education_status = NULL
 WHERE education_status IN ('missing_education', 'elective_home')
    OR (education_status = 'in_education' AND open_flags && ARRAY['missing_education', 'elective_home_education']);

-- And the database holds it: the status is a setting, never one of the flags, never "in education" beside them.
DO $lantern$
DECLARE name text;
BEGIN
  FOR name IN SELECT conname FROM pg_constraint
               WHERE conrelid = 'children'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%education_status%' LOOP
    EXECUTE format('ALTER TABLE children DROP CONSTRAINT %I', name);
  END LOOP;
END
$lantern$;
ALTER TABLE children ADD CONSTRAINT children_education_setting CHECK (
  education_status IN ('in_education', 'excluded', 'alternative_provision', 'employment_training', 'neet'));
ALTER TABLE children ADD CONSTRAINT children_education_beside_flags CHECK (
  NOT (education_status = 'in_education' AND open_flags && ARRAY['missing_education', 'elective_home_education']));
