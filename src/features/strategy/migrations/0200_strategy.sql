-- Strategy and assurance: frameworks, action plans, actions, their quarterly progress history
-- and each partnership's glossary. Every table carries partnership_id with forced row-level
-- security, as in 0004. Plans hold no personal data about children; staff appear only as leads.

CREATE TABLE strategy_frameworks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  key text NOT NULL,
  name text NOT NULL,
  source text NOT NULL DEFAULT '',
  is_example boolean NOT NULL DEFAULT false,
  built_in boolean NOT NULL DEFAULT false,
  -- The whole framework as checked by frameworkSchema (strands, outcomes, action ids).
  definition jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (partnership_id, key),
  UNIQUE (partnership_id, id)
);

CREATE TABLE strategy_plans (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  -- NULL: the partnership's (Board's) plan; otherwise one partner agency's own plan.
  agency_id uuid,
  framework_id uuid NOT NULL,
  title text NOT NULL,
  period_start date NOT NULL,
  period_end date NOT NULL CHECK (period_end >= period_start),
  review_cycle text NOT NULL DEFAULT 'quarterly' CHECK (review_cycle IN ('monthly', 'quarterly', 'six-monthly', 'annually')),
  next_review_on date,
  named_review text NOT NULL DEFAULT '',
  owning_body text NOT NULL DEFAULT '',
  accountable_to text NOT NULL DEFAULT '',
  linked_plans text NOT NULL DEFAULT '',
  -- Where reproduced text comes from, shown on the plan page.
  source_note text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partnership_id, agency_id) REFERENCES agencies (partnership_id, id),
  FOREIGN KEY (partnership_id, framework_id) REFERENCES strategy_frameworks (partnership_id, id),
  UNIQUE (partnership_id, id)
);

CREATE TABLE strategy_actions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  plan_id uuid NOT NULL,
  action_ref text NOT NULL CHECK (action_ref ~ '^[1-9][0-9]*\.[1-9][0-9]*[a-z]$'),
  outcome_ref text NOT NULL,
  text text NOT NULL,
  -- The post that leads the action, shown in plans and reports (never a person's name there).
  lead_title text NOT NULL DEFAULT '',
  -- The account allowed to record progress on the action.
  lead_user_id uuid REFERENCES users (id),
  lead_agency_id uuid,
  start_on date,
  due_on date,
  cost_pounds numeric(12, 2) CHECK (cost_pounds IS NULL OR cost_pounds >= 0),
  cost_note text NOT NULL DEFAULT '',
  success_measure text NOT NULL DEFAULT '',
  target_value numeric(14, 2),
  current_value numeric(14, 2),
  measure_unit text NOT NULL DEFAULT '',
  evidence_source text NOT NULL DEFAULT '',
  board_plan_ref text NOT NULL DEFAULT '',
  status text NOT NULL DEFAULT 'not-rated'
    CHECK (status IN ('red', 'amber', 'green', 'blue', 'not-applicable', 'not-rated')),
  status_note text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partnership_id, plan_id) REFERENCES strategy_plans (partnership_id, id),
  FOREIGN KEY (partnership_id, lead_agency_id) REFERENCES agencies (partnership_id, id),
  UNIQUE (plan_id, action_ref),
  UNIQUE (partnership_id, id)
);
CREATE INDEX strategy_actions_lead_idx ON strategy_actions (partnership_id, lead_user_id);

-- Quarterly progress, kept as history: each row is what someone reported for a quarter.
CREATE TABLE strategy_action_updates (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  action_id uuid NOT NULL,
  -- First day of the calendar quarter reported on.
  quarter_start date NOT NULL CHECK (extract(day FROM quarter_start) = 1 AND extract(month FROM quarter_start) IN (1, 4, 7, 10)),
  status text NOT NULL CHECK (status IN ('red', 'amber', 'green', 'blue', 'not-applicable', 'not-rated')),
  narrative text NOT NULL DEFAULT '',
  current_value numeric(14, 2),
  status_note text NOT NULL DEFAULT '',
  recorded_by uuid REFERENCES users (id),
  recorded_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partnership_id, action_id) REFERENCES strategy_actions (partnership_id, id)
);
CREATE INDEX strategy_action_updates_action_idx ON strategy_action_updates (partnership_id, action_id, quarter_start);

CREATE TABLE strategy_glossary (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  term text NOT NULL CHECK (term <> ''),
  expansion text NOT NULL CHECK (expansion <> ''),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (partnership_id, term)
);

SELECT lantern_partnership_table('strategy_frameworks', 'SELECT, INSERT, UPDATE');
SELECT lantern_partnership_table('strategy_plans', 'SELECT, INSERT, UPDATE');
SELECT lantern_partnership_table('strategy_actions', 'SELECT, INSERT, UPDATE');
-- Progress history is append-only for the application.
SELECT lantern_partnership_table('strategy_action_updates', 'SELECT, INSERT');
SELECT lantern_partnership_table('strategy_glossary', 'SELECT, INSERT, UPDATE, DELETE');
