-- The triage source of a child's current risk level (0170's lantern_child_risk) read by one index probe.
--
-- lantern_child_risk asks for a child's latest decided triage with a risk level. With only 0100's
-- concerns_child_idx (child_id) and concerns_received_idx (partnership_id, …), a plan made while the
-- statistics still said "few concerns" (a set-based seed, whose statement-level trigger recomputes
-- every touched child in the same statement) ANDed both bitmaps, reading the whole partnership's
-- concerns for each child: 200,000 children took more than 50 minutes. This index answers the
-- question itself, newest first, so the plan is one probe a child whatever the statistics say.
CREATE INDEX concerns_child_risk_idx ON concerns (partnership_id, child_id, decided_at DESC)
  WHERE risk_level IS NOT NULL AND decided_at IS NOT NULL;
