-- Board self-assessments (issue 15 §2): the Board rates itself against a self-assessment framework
-- (versioned data in src/features/self-assessment/frameworks/, a copy kept with each assessment), each
-- standard with a rating on the framework's scale, a narrative, evidence links to the partnership's own
-- plans, actions, measures and case audits, and an improvement action that may go into an action plan.
-- Every table is the acting partnership's (lantern_partnership_table); which pages read them is decided
-- by authz/policy.ts. A completed assessment is read-only: the trigger below refuses changes to it.

CREATE TABLE self_assessments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  year integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  framework_id text NOT NULL,
  framework_version integer NOT NULL,
  framework jsonb NOT NULL,
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'complete')),
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_by uuid REFERENCES users (id),
  completed_at timestamptz,
  CHECK ((status = 'complete') = (completed_at IS NOT NULL)),
  -- One assessment a year against a framework: the comparison reads them year by year.
  UNIQUE (partnership_id, framework_id, year),
  UNIQUE (partnership_id, id)
);

CREATE TABLE self_assessment_ratings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  assessment_id uuid NOT NULL,
  standard_id text NOT NULL,
  rating text NOT NULL,
  narrative text NOT NULL DEFAULT '' CHECK (length(narrative) <= 8000),
  improvement_action text NOT NULL DEFAULT '' CHECK (length(improvement_action) <= 2000),
  -- The action of the partnership's plan the improvement action became (its board_plan_ref names the assessment back).
  strategy_action_id uuid,
  updated_by uuid REFERENCES users (id),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partnership_id, assessment_id) REFERENCES self_assessments (partnership_id, id),
  FOREIGN KEY (partnership_id, strategy_action_id) REFERENCES strategy_actions (partnership_id, id),
  UNIQUE (assessment_id, standard_id),
  UNIQUE (partnership_id, id)
);

-- Evidence for a standard: a typed link to one of the partnership's own records (the composite foreign
-- keys keep it inside the partnership whatever the application does).
CREATE TABLE self_assessment_evidence (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  assessment_id uuid NOT NULL,
  standard_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('plan', 'action', 'measure', 'case_audit')),
  plan_id uuid,
  action_id uuid,
  measure_id uuid,
  case_audit_id uuid,
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partnership_id, assessment_id) REFERENCES self_assessments (partnership_id, id),
  FOREIGN KEY (partnership_id, plan_id) REFERENCES strategy_plans (partnership_id, id),
  FOREIGN KEY (partnership_id, action_id) REFERENCES strategy_actions (partnership_id, id),
  FOREIGN KEY (partnership_id, measure_id) REFERENCES strategy_measures (partnership_id, id),
  FOREIGN KEY (partnership_id, case_audit_id) REFERENCES case_audits (partnership_id, id),
  CHECK (num_nonnulls(plan_id, action_id, measure_id, case_audit_id) = 1),
  CHECK ((kind = 'plan') = (plan_id IS NOT NULL) AND (kind = 'action') = (action_id IS NOT NULL)
    AND (kind = 'measure') = (measure_id IS NOT NULL) AND (kind = 'case_audit') = (case_audit_id IS NOT NULL))
);
CREATE INDEX self_assessment_evidence_standard_idx ON self_assessment_evidence (assessment_id, standard_id);

SELECT lantern_partnership_table('self_assessments', 'SELECT, INSERT, UPDATE');
SELECT lantern_partnership_table('self_assessment_ratings', 'SELECT, INSERT, UPDATE');
SELECT lantern_partnership_table('self_assessment_evidence', 'SELECT, INSERT, DELETE');

-- A completed assessment is locked: its ratings and evidence no longer change, except that an improvement
-- action may still be added to an action plan (strategy_action_id alone), and the assessment itself stays
-- complete (no way back to draft).
CREATE FUNCTION lantern_self_assessment_locked() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  target uuid;
BEGIN
  IF TG_TABLE_NAME = 'self_assessments' THEN
    IF OLD.status = 'complete' THEN
      RAISE EXCEPTION 'lantern: the self-assessment is complete' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' THEN target := OLD.assessment_id; ELSE target := NEW.assessment_id; END IF;
  IF EXISTS (SELECT 1 FROM self_assessments WHERE id = target AND status = 'complete') THEN
    IF TG_TABLE_NAME = 'self_assessment_ratings' AND TG_OP = 'UPDATE'
       AND (to_jsonb(NEW) - 'strategy_action_id') = (to_jsonb(OLD) - 'strategy_action_id') THEN
      RETURN NEW;
    END IF;
    RAISE EXCEPTION 'lantern: the self-assessment is complete' USING ERRCODE = 'check_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER self_assessments_locked BEFORE UPDATE ON self_assessments
  FOR EACH ROW EXECUTE FUNCTION lantern_self_assessment_locked();
CREATE TRIGGER self_assessment_ratings_locked BEFORE INSERT OR UPDATE OR DELETE ON self_assessment_ratings
  FOR EACH ROW EXECUTE FUNCTION lantern_self_assessment_locked();
CREATE TRIGGER self_assessment_evidence_locked BEFORE INSERT OR UPDATE OR DELETE ON self_assessment_evidence
  FOR EACH ROW EXECUTE FUNCTION lantern_self_assessment_locked();
