-- Worklists read the most urgent rows first, by index, a page at a time (docs/PERFORMANCE.md).
-- Before this, "return interviews overdue" anti-joined every returned episode with its interview
-- and "meeting reviews due" looked for each child's latest meeting per row, then took any 500.

-- 1. Return interviews overdue: whether an episode has its interview is kept on the episode by a
--    trigger on return_interviews, so the overdue ones are a partial index in return order.
ALTER TABLE missing_episodes ADD COLUMN interview_recorded boolean NOT NULL DEFAULT false;
UPDATE missing_episodes e SET interview_recorded = true
WHERE EXISTS (SELECT 1 FROM return_interviews i WHERE i.episode_id = e.id);

-- SECURITY DEFINER: recording an interview marks its episode whoever may record the interview.
CREATE FUNCTION lantern_episode_interview_recorded() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE missing_episodes e SET interview_recorded = EXISTS (SELECT 1 FROM return_interviews i WHERE i.episode_id = e.id)
    WHERE e.id = OLD.episode_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE missing_episodes SET interview_recorded = true WHERE id = NEW.episode_id AND NOT interview_recorded;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER return_interviews_recorded AFTER INSERT OR UPDATE OF episode_id OR DELETE ON return_interviews
  FOR EACH ROW EXECUTE FUNCTION lantern_episode_interview_recorded();

CREATE INDEX missing_episodes_interview_due_idx ON missing_episodes (partnership_id, ended_at, id)
  WHERE ended_by = 'returned' AND NOT interview_recorded;

-- 2. Meeting reviews due: each child's latest strategy meeting, kept by a trigger as meetings are
--    recorded or edited (the latest is the one with the latest held_on, then created_at).
CREATE TABLE strategy_meeting_current (
  child_id uuid PRIMARY KEY,
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  meeting_id uuid NOT NULL REFERENCES strategy_meetings (id),
  held_on date NOT NULL,
  next_review_on date,
  risk_level text NOT NULL,
  FOREIGN KEY (partnership_id, child_id) REFERENCES children (partnership_id, id)
);
CREATE INDEX strategy_meeting_current_review_idx ON strategy_meeting_current (partnership_id, next_review_on, child_id)
  WHERE next_review_on IS NOT NULL;

SELECT lantern_child_table('strategy_meeting_current', 'SELECT');

CREATE FUNCTION lantern_strategy_meeting_current() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  affected uuid;
BEGIN
  FOREACH affected IN ARRAY (CASE TG_OP WHEN 'INSERT' THEN ARRAY[NEW.child_id] WHEN 'DELETE' THEN ARRAY[OLD.child_id]
                             ELSE ARRAY[OLD.child_id, NEW.child_id] END)
  LOOP
    DELETE FROM strategy_meeting_current WHERE child_id = affected;
    INSERT INTO strategy_meeting_current (child_id, partnership_id, meeting_id, held_on, next_review_on, risk_level)
    SELECT m.child_id, m.partnership_id, m.id, m.held_on, m.next_review_on, m.risk_level
    FROM strategy_meetings m WHERE m.child_id = affected
    ORDER BY m.held_on DESC, m.created_at DESC LIMIT 1;
  END LOOP;
  RETURN NULL;
END
$$;
CREATE TRIGGER strategy_meetings_current AFTER INSERT OR UPDATE OR DELETE ON strategy_meetings
  FOR EACH ROW EXECUTE FUNCTION lantern_strategy_meeting_current();

INSERT INTO strategy_meeting_current (child_id, partnership_id, meeting_id, held_on, next_review_on, risk_level)
SELECT DISTINCT ON (child_id) child_id, partnership_id, id, held_on, next_review_on, risk_level
FROM strategy_meetings ORDER BY child_id, held_on DESC, created_at DESC;

-- 3. Plan actions overdue: open actions in due order.
CREATE INDEX plan_actions_open_due_idx ON plan_actions (partnership_id, due_on, id) WHERE done_at IS NULL;

-- 4. Reviews overdue: hundreds of children can share a review date, so the child is in the index
--    too and a page in due order is read from it without sorting the day's rows.
DROP INDEX risk_assessment_current_due_idx;
CREATE INDEX risk_assessment_current_due_idx ON risk_assessment_current (partnership_id, review_due_on, child_id);

-- Fresh statistics for the new column and table: without them the planner hashed every child to
-- answer "the first ten" (docs/PERFORMANCE.md).
ANALYZE missing_episodes;
ANALYZE strategy_meeting_current;
ANALYZE risk_assessment_current;
ANALYZE plan_actions;
