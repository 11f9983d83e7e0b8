-- One truth for special educational needs and disability (issue 10; DECISIONS 29). Whether the child
-- has SEND is a flag — a period with a start, an end and a source (0130) — and the record's SEND field
-- said it too ('none', 'sen_support', 'ehcp', 'disability', 'not_known'), so the two could disagree. From
-- here the flag is the truth: the record's field says only the kind of support (SEN support, an
-- education, health and care plan, a disability), and only while the SEND flag is open.

-- A record that names a kind of support without the open flag gets the flag, from the day the record
-- last changed, with the source saying so (a practitioner corrects the date when they know it) —
-- unless a SEND flag was ended since the record last changed: that ending is the newer word.
WITH added AS (
  INSERT INTO child_flags (partnership_id, child_id, kind, started_on, source, created_at, updated_at, created_by_name)
  SELECT c.partnership_id, c.id, 'send', least((c.updated_at AT TIME ZONE 'Europe/London')::date, (now() AT TIME ZONE 'Europe/London')::date),
         'Carried over from the child''s SEND record', now(), now(), 'Lantern (carried over)'
    FROM children c
   WHERE c.send IN ('sen_support', 'ehcp', 'disability')
     AND NOT EXISTS (SELECT 1 FROM child_flags f WHERE f.child_id = c.id AND f.kind = 'send' AND (f.ended_on IS NULL OR f.ended_at >= c.updated_at))
  RETURNING partnership_id, child_id, id, kind, started_on, created_at, created_by_name)
INSERT INTO child_flag_changes (partnership_id, child_id, flag_id, kind, change, changed_fields, changed_at, changed_by_name)
SELECT partnership_id, child_id, id, kind, 'added', jsonb_build_object('startedOn', started_on), created_at, created_by_name FROM added;

-- The child's open flags on the record (0130, 0261) keep the SEND field from contradicting them: the
-- statement that ends the SEND flag clears the kind of support, as the education status is cleared.
CREATE OR REPLACE FUNCTION lantern_child_flags_sync() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  UPDATE children c SET
    looked_after = f.looked_after, placement = CASE WHEN f.looked_after THEN c.placement END,
    child_protection_plan = f.cpp, child_in_need = f.cin, youth_justice = f.yj, open_flags = f.kinds,
    education_status = CASE WHEN c.education_status = 'in_education' AND f.out_of_school THEN NULL ELSE c.education_status END,
    send = CASE WHEN f.send THEN c.send END
  FROM (SELECT k.child_id, coalesce(array_agg(o.kind ORDER BY o.kind) FILTER (WHERE o.kind IS NOT NULL), '{}') AS kinds,
               coalesce(bool_or(o.kind = 'looked_after'), false) AS looked_after, coalesce(bool_or(o.kind = 'child_protection_plan'), false) AS cpp,
               coalesce(bool_or(o.kind = 'child_in_need'), false) AS cin, coalesce(bool_or(o.kind = 'youth_justice'), false) AS yj,
               coalesce(bool_or(o.kind IN ('missing_education', 'elective_home_education')), false) AS out_of_school,
               coalesce(bool_or(o.kind = 'send'), false) AS send
          FROM (SELECT DISTINCT child_id FROM new_rows) k
          LEFT JOIN child_flags o ON o.child_id = k.child_id AND o.ended_on IS NULL
         GROUP BY k.child_id) f
  WHERE c.id = f.child_id
    AND (c.looked_after, c.child_protection_plan, c.child_in_need, c.youth_justice, c.open_flags,
         coalesce(c.education_status = 'in_education' AND f.out_of_school, false), c.send IS NOT NULL AND NOT f.send)
        IS DISTINCT FROM (f.looked_after, f.cpp, f.cin, f.yj, f.kinds, false, false);
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION lantern_child_flags_sync() FROM PUBLIC;

-- "None" and "not known" were the flag's words (no open flag is "none known"); a kind of support
-- beside no open flag (the flag ended after the record last changed) goes with the flag.
UPDATE children SET send = NULL
 WHERE send IN ('none', 'not_known')
    OR (send IS NOT NULL AND NOT open_flags @> ARRAY['send']);

-- And the database holds it: the field is a kind of support, and only beside the open SEND flag.
DO $lantern$
DECLARE name text;
BEGIN
  FOR name IN SELECT conname FROM pg_constraint
               WHERE conrelid = 'children'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%''sen_support''%' LOOP
    EXECUTE format('ALTER TABLE children DROP CONSTRAINT %I', name);
  END LOOP;
END
$lantern$;
ALTER TABLE children ADD CONSTRAINT children_send_kind CHECK (send IN ('sen_support', 'ehcp', 'disability'));
ALTER TABLE children ADD CONSTRAINT children_send_beside_flag CHECK (send IS NULL OR open_flags @> ARRAY['send']);
