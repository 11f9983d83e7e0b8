-- A batch run's last sign of life (issue 14 §2): each step sets it. A run cut off by a restart stays
-- 'queued' or 'running' and, through linkage_runs_one_at_a_time, would block every later run of its
-- kind; a run with no step for long enough is marked failed ("interrupted") when the next one starts.
ALTER TABLE linkage_runs ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
