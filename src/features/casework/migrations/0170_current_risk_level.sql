-- One current risk level per child (issue 10, docs/DECISIONS.md 23). Until now a child carried a
-- free-standing risk_level that anyone editing the record could set, beside three other scales (the
-- triage decision, the tool bands of an assessment, the risk agreed at a strategy meeting), so the same
-- child showed different risks on different screens. Now there is one vocabulary, low / medium / high,
-- and one rule, held in one function (lantern_child_risk):
--
--   the current level is the latest of
--     (a) the practitioner's judgement recorded on a risk assessment (dated by assessed_on),
--     (b) the risk agreed at a strategy meeting or discussion (dated by held_on),
--     (c) a triage decision with a risk level (dated by the London day of decided_at);
--   latest = the later date, then the later time of recording, then meeting over assessment over triage;
--   a level carried over from the old free-standing column counts only when none of these exists.
--
-- The answer is kept on the child (current_risk_*) by triggers on the source tables calling one
-- recompute function, so lists of 200,000 children read and filter it from an index. The columns are
-- written only by that function: a request cannot set a child's risk directly.

-- 1. Tool bands carry the level they suggest. Stored definitions get it once, here: by the band's key
--    for the words the shipped tools and SERAF-style tools use, else by position (first band low, last
--    high, the rest medium). New definitions must state it (src/features/assessments/tool/definition.ts).
UPDATE risk_tools t SET definition = jsonb_set(t.definition, '{bands}', (
  SELECT jsonb_agg(b.band || jsonb_build_object('level',
           CASE WHEN b.band ? 'level' THEN b.band ->> 'level'
                WHEN lower(b.band ->> 'key') IN ('low', 'not-at-risk', 'not_at_risk', 'no-apparent-risk', 'mild', 'at-risk') THEN 'low'
                WHEN lower(b.band ->> 'key') IN ('medium', 'moderate') THEN 'medium'
                WHEN lower(b.band ->> 'key') IN ('high', 'significant', 'severe') THEN 'high'
                WHEN b.n = 1 THEN 'low'
                WHEN b.n = b.total THEN 'high'
                ELSE 'medium' END) ORDER BY b.n)
    FROM (SELECT band, n, count(*) OVER () AS total FROM jsonb_array_elements(t.definition -> 'bands') WITH ORDINALITY AS x (band, n)) b))
WHERE jsonb_typeof(t.definition -> 'bands') = 'array';

-- 2. An assessment records the level the score suggests and the level the worker judged, in the one
--    vocabulary. The band the worker chose before this migration stays as history (judgement_category).
ALTER TABLE risk_assessments
  ADD COLUMN score_level text CHECK (score_level IN ('low', 'medium', 'high')),
  ADD COLUMN judgement_level text CHECK (judgement_level IN ('low', 'medium', 'high')),
  ALTER COLUMN judgement_category DROP NOT NULL,
  ALTER COLUMN judgement_category_label DROP NOT NULL;
UPDATE risk_assessments a SET
  score_level = coalesce((SELECT b ->> 'level' FROM risk_tools t, jsonb_array_elements(t.definition -> 'bands') b
                           WHERE t.id = a.risk_tool_id AND b ->> 'key' = a.score_category), 'medium'),
  judgement_level = coalesce((SELECT b ->> 'level' FROM risk_tools t, jsonb_array_elements(t.definition -> 'bands') b
                               WHERE t.id = a.risk_tool_id AND b ->> 'key' = a.judgement_category), 'medium');
ALTER TABLE risk_assessments ALTER COLUMN score_level SET NOT NULL, ALTER COLUMN judgement_level SET NOT NULL;

-- 3. The old free-standing level: kept, with the day it was last written, only for a child that has no
--    other source, and shown as "recorded on the child's record"; any later source replaces it.
CREATE TABLE child_risk_carried_over (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  child_id uuid NOT NULL UNIQUE,
  risk_level text NOT NULL CHECK (risk_level IN ('low', 'medium', 'high')),
  recorded_at timestamptz NOT NULL,
  FOREIGN KEY (partnership_id, child_id) REFERENCES children (partnership_id, id)
);
SELECT lantern_child_table('child_risk_carried_over', 'SELECT');
INSERT INTO child_risk_carried_over (partnership_id, child_id, risk_level, recorded_at)
SELECT c.partnership_id, c.id, c.risk_level, c.updated_at FROM children c
 WHERE c.risk_level IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM risk_assessments a WHERE a.child_id = c.id)
   AND NOT EXISTS (SELECT 1 FROM strategy_meetings m WHERE m.child_id = c.id)
   AND NOT EXISTS (SELECT 1 FROM concerns q WHERE q.child_id = c.id AND q.risk_level IS NOT NULL AND q.decided_at IS NOT NULL);
ALTER TABLE children DROP COLUMN risk_level;

-- 4. The current level on the child, with where it came from and when. Never a level without a source.
ALTER TABLE children
  ADD COLUMN current_risk_level text CHECK (current_risk_level IN ('low', 'medium', 'high')),
  ADD COLUMN current_risk_source text CHECK (current_risk_source IN ('assessment', 'meeting', 'triage', 'carried_over')),
  ADD COLUMN current_risk_source_id uuid,
  ADD COLUMN current_risk_on date,
  ADD CONSTRAINT children_current_risk_has_source CHECK (
    (current_risk_level IS NULL AND current_risk_source IS NULL AND current_risk_source_id IS NULL AND current_risk_on IS NULL)
    OR (current_risk_level IS NOT NULL AND current_risk_source IS NOT NULL AND current_risk_source_id IS NOT NULL AND current_risk_on IS NOT NULL));
-- Lists filter by level and sort by name within it.
CREATE INDEX children_current_risk_idx ON children (partnership_id, current_risk_level, family_name, given_name, id);

-- The rule. p_before (exclusive) asks "as it stood before that day" (the quarterly count of children
-- at risk); NULL means now. Plain SQL, not SECURITY DEFINER, so a caller's query can inline it; the
-- callers that need every source whoever asks (the recompute, the measure) are SECURITY DEFINER.
CREATE FUNCTION lantern_child_risk(p_partnership uuid, p_child uuid, p_before date DEFAULT NULL)
RETURNS TABLE (level text, source text, source_id uuid, effective_on date, recorded_at timestamptz)
LANGUAGE sql STABLE AS $$
  SELECT s.level, s.source, s.source_id, s.effective_on, s.recorded_at FROM (
    (SELECT a.judgement_level, 'assessment', a.id, a.assessed_on, a.created_at, 2 FROM risk_assessments a
      WHERE a.partnership_id = p_partnership AND a.child_id = p_child AND (p_before IS NULL OR a.assessed_on < p_before)
      ORDER BY a.assessed_on DESC, a.created_at DESC LIMIT 1)
    UNION ALL
    (SELECT m.risk_level, 'meeting', m.id, m.held_on, m.created_at, 3 FROM strategy_meetings m
      WHERE m.partnership_id = p_partnership AND m.child_id = p_child AND (p_before IS NULL OR m.held_on < p_before)
      ORDER BY m.held_on DESC, m.created_at DESC LIMIT 1)
    UNION ALL
    (SELECT q.risk_level, 'triage', q.id, (q.decided_at AT TIME ZONE 'Europe/London')::date, q.decided_at, 1 FROM concerns q
      WHERE q.child_id = p_child AND q.partnership_id = p_partnership AND q.risk_level IS NOT NULL AND q.decided_at IS NOT NULL
        AND (p_before IS NULL OR (q.decided_at AT TIME ZONE 'Europe/London')::date < p_before)
      ORDER BY q.decided_at DESC LIMIT 1)
    UNION ALL
    (SELECT o.risk_level, 'carried_over', o.id, (o.recorded_at AT TIME ZONE 'Europe/London')::date, o.recorded_at, 0 FROM child_risk_carried_over o
      WHERE o.child_id = p_child AND o.partnership_id = p_partnership
        AND (p_before IS NULL OR (o.recorded_at AT TIME ZONE 'Europe/London')::date < p_before))
  ) s (level, source, source_id, effective_on, recorded_at, precedence)
  ORDER BY s.source = 'carried_over', s.effective_on DESC, s.recorded_at DESC, s.precedence DESC
  LIMIT 1
$$;
REVOKE ALL ON FUNCTION lantern_child_risk(uuid, uuid, date) FROM PUBLIC;

-- Writes the rule's answer onto the children named (only those whose answer changed).
CREATE FUNCTION lantern_child_risk_recompute(p_children uuid[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  UPDATE children c SET current_risk_level = r.level, current_risk_source = r.source,
                        current_risk_source_id = r.source_id, current_risk_on = r.effective_on
    FROM children k LEFT JOIN LATERAL lantern_child_risk(k.partnership_id, k.id) r ON true
   WHERE k.id = ANY (p_children) AND c.id = k.id
     AND (c.current_risk_level, c.current_risk_source, c.current_risk_source_id, c.current_risk_on)
         IS DISTINCT FROM (r.level, r.source, r.source_id, r.effective_on);
END
$$;
REVOKE ALL ON FUNCTION lantern_child_risk_recompute(uuid[]) FROM PUBLIC;

-- One trigger function for every source table: the children its statement touched (old and new rows)
-- are recomputed once per statement, so a set-based insert of 200,000 assessments is one UPDATE.
CREATE FUNCTION lantern_child_risk_changed() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  touched uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(DISTINCT n.child_id) INTO touched FROM new_rows n WHERE n.child_id IS NOT NULL;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(DISTINCT o.child_id) INTO touched FROM old_rows o WHERE o.child_id IS NOT NULL;
  ELSE
    SELECT array_agg(DISTINCT x.child_id) INTO touched
      FROM (SELECT child_id FROM old_rows UNION SELECT child_id FROM new_rows) x WHERE x.child_id IS NOT NULL;
  END IF;
  IF touched IS NOT NULL THEN
    PERFORM lantern_child_risk_recompute(touched);
  END IF;
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION lantern_child_risk_changed() FROM PUBLIC;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['risk_assessments', 'strategy_meetings', 'concerns', 'child_risk_carried_over'] LOOP
    EXECUTE format('CREATE TRIGGER %1$s_risk_insert AFTER INSERT ON %1$I REFERENCING NEW TABLE AS new_rows
                      FOR EACH STATEMENT EXECUTE FUNCTION lantern_child_risk_changed()', t);
    EXECUTE format('CREATE TRIGGER %1$s_risk_update AFTER UPDATE ON %1$I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                      FOR EACH STATEMENT EXECUTE FUNCTION lantern_child_risk_changed()', t);
    EXECUTE format('CREATE TRIGGER %1$s_risk_delete AFTER DELETE ON %1$I REFERENCING OLD TABLE AS old_rows
                      FOR EACH STATEMENT EXECUTE FUNCTION lantern_child_risk_changed()', t);
  END LOOP;
END
$$;

-- The database's own refusal: only the recompute (run as the schema owner) writes the current level.
-- SECURITY INVOKER on purpose: current_user is then whoever ran the statement (a request's role is
-- never the owner nor a member of it).
CREATE FUNCTION lantern_child_risk_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER')
     AND (TG_OP = 'INSERT' AND NEW.current_risk_level IS NOT NULL
          OR TG_OP = 'UPDATE' AND (NEW.current_risk_level, NEW.current_risk_source, NEW.current_risk_source_id, NEW.current_risk_on)
                                  IS DISTINCT FROM (OLD.current_risk_level, OLD.current_risk_source, OLD.current_risk_source_id, OLD.current_risk_on)) THEN
    RAISE EXCEPTION 'lantern: a child''s risk level comes from an assessment, a strategy meeting or a triage decision, never set directly'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION lantern_child_risk_guard() FROM PUBLIC;
CREATE TRIGGER children_risk_guard BEFORE INSERT OR UPDATE OF current_risk_level, current_risk_source, current_risk_source_id, current_risk_on
  ON children FOR EACH ROW EXECUTE FUNCTION lantern_child_risk_guard();

-- Every existing child, once.
SELECT lantern_child_risk_recompute(ARRAY(SELECT id FROM children));

ANALYZE children;
