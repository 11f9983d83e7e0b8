-- Found with the 200,000-child benchmark (docs/PERFORMANCE.md): the "reviews due" worklist wants
-- the latest assessment of each child whose review date has passed. Assessments are kept as
-- history (a child with three has two superseded ones, all long past their review dates), so
-- finding the latest per row read ~95,000 superseded assessments to return 500 (4.4 s).
-- This table holds each child's current (latest) assessment, kept by a trigger as assessments are
-- inserted (they are never updated or deleted), so the worklist reads the due ones by index.
CREATE TABLE risk_assessment_current (
  child_id uuid PRIMARY KEY,
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  assessment_id uuid NOT NULL REFERENCES risk_assessments (id),
  assessed_on date NOT NULL,
  created_at timestamptz NOT NULL,
  review_due_on date NOT NULL,
  FOREIGN KEY (partnership_id, child_id) REFERENCES children (partnership_id, id)
);
CREATE INDEX risk_assessment_current_due_idx ON risk_assessment_current (partnership_id, review_due_on);

SELECT lantern_child_table('risk_assessment_current', 'SELECT');

-- The latest is the one with the latest assessed_on, then created_at (the order the worklist used).
-- SECURITY DEFINER: the application role reads this table but cannot write it.
CREATE FUNCTION lantern_risk_assessment_current() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  INSERT INTO risk_assessment_current AS cur (child_id, partnership_id, assessment_id, assessed_on, created_at, review_due_on)
  VALUES (NEW.child_id, NEW.partnership_id, NEW.id, NEW.assessed_on, NEW.created_at, NEW.review_due_on)
  ON CONFLICT (child_id) DO UPDATE SET assessment_id = EXCLUDED.assessment_id, assessed_on = EXCLUDED.assessed_on,
    created_at = EXCLUDED.created_at, review_due_on = EXCLUDED.review_due_on
  WHERE (EXCLUDED.assessed_on, EXCLUDED.created_at) >= (cur.assessed_on, cur.created_at);
  RETURN NULL;
END
$$;
CREATE TRIGGER risk_assessments_current AFTER INSERT ON risk_assessments FOR EACH ROW EXECUTE FUNCTION lantern_risk_assessment_current();

INSERT INTO risk_assessment_current (child_id, partnership_id, assessment_id, assessed_on, created_at, review_due_on)
SELECT DISTINCT ON (child_id) child_id, partnership_id, id, assessed_on, created_at, review_due_on
FROM risk_assessments ORDER BY child_id, assessed_on DESC, created_at DESC;
