-- Found with the 200,000-child benchmark (docs/PERFORMANCE.md): the triage page counts the last
-- 30 days' breaches on every view. Covering the columns that count (and the row-level security
-- policy) reads them from the index alone instead of visiting ~4,000 concern rows.
CREATE INDEX concerns_breach_idx ON concerns (partnership_id, received_at)
  INCLUDE (id, decided_at, deadline_at, raised_by_agency_id, acting_agency_id);
