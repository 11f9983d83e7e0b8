-- Found with the 200,000-child benchmark (docs/PERFORMANCE.md).
-- "My children" collects the children a person assessed, recorded or wrote about: without these,
-- each of the five lookups read its whole table for every request.
CREATE INDEX risk_assessments_assessor_idx ON risk_assessments (assessor_user_id, child_id);
CREATE INDEX missing_episodes_recorder_idx ON missing_episodes (recorded_by, child_id);
CREATE INDEX strategy_meetings_recorder_idx ON strategy_meetings (recorded_by, child_id);
CREATE INDEX plan_actions_recorder_idx ON plan_actions (recorded_by, child_id);
CREATE INDEX case_notes_author_idx ON case_notes (author_user_id, child_id);
