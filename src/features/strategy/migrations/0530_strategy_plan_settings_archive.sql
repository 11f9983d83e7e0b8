-- Issue 15. A plan may ask each action for a cross-reference to the Board's own plan (seed 003:
-- "a column on the action plan to cross-reference with the WSCB's action plan"); the SMART check
-- then flags actions without one. Plans and actions are archived, never deleted: an archived row
-- is hidden from lists and reports by default and can be restored; both are audited.
ALTER TABLE strategy_plans
  ADD COLUMN requires_board_plan_ref boolean NOT NULL DEFAULT false,
  ADD COLUMN archived_at timestamptz,
  ADD COLUMN archived_by uuid REFERENCES users (id);

ALTER TABLE strategy_actions
  ADD COLUMN archived_at timestamptz,
  ADD COLUMN archived_by uuid REFERENCES users (id);

CREATE INDEX strategy_actions_live_idx ON strategy_actions (partnership_id, plan_id) WHERE archived_at IS NULL;
