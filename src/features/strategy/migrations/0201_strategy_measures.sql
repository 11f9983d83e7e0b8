-- Performance measures of a plan (baseline, target, which way is better, how often it is
-- counted, who owns it) and the values entered each period. Forced RLS as in 0004.

CREATE TABLE strategy_measures (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  plan_id uuid NOT NULL,
  name text NOT NULL CHECK (name <> ''),
  unit text NOT NULL DEFAULT '',
  baseline_value numeric(14, 2),
  baseline_period date,
  target_value numeric(14, 2) NOT NULL,
  -- 'up': higher is better (staff trained); 'down': lower is better (days to screen a concern).
  direction text NOT NULL CHECK (direction IN ('up', 'down')),
  frequency text NOT NULL DEFAULT 'quarterly' CHECK (frequency IN ('monthly', 'quarterly', 'annually')),
  owner_title text NOT NULL DEFAULT '',
  evidence_source text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partnership_id, plan_id) REFERENCES strategy_plans (partnership_id, id),
  UNIQUE (plan_id, name),
  UNIQUE (partnership_id, id)
);

CREATE TABLE strategy_measure_values (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  measure_id uuid NOT NULL,
  -- First day of the period the value counts (the quarter for quarterly measures).
  period_start date NOT NULL,
  value numeric(14, 2) NOT NULL,
  note text NOT NULL DEFAULT '',
  recorded_by uuid REFERENCES users (id),
  recorded_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partnership_id, measure_id) REFERENCES strategy_measures (partnership_id, id),
  UNIQUE (measure_id, period_start)
);

SELECT lantern_partnership_table('strategy_measures', 'SELECT, INSERT, UPDATE');
SELECT lantern_partnership_table('strategy_measure_values', 'SELECT, INSERT, UPDATE');
