-- A record's access-log panel reads its latest 20 audit rows by time, then id. The index held the
-- time but not the id, so every view sorted all of the record's rows (thousands for a record opened
-- often: docs/PERFORMANCE.md). With the id in the index the panel reads 20 index entries.
CREATE INDEX audit_events_record_order_idx ON audit_events (partnership_id, record_type, record_id, occurred_at DESC, id DESC);
DROP INDEX audit_events_record_idx;
