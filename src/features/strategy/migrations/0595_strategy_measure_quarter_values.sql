-- Stored quarterly figures of computed measures (issue 15 §4, docs/DECISIONS.md 49). The measures page
-- and the quarterly report worked out every computed measure for up to eight quarters on every load;
-- a closed quarter's figure only changes when the records it counts change. Each source's figure for a
-- quarter is kept here with a fingerprint of the records its function reads (lantern_measure_fingerprint):
-- a later reader reuses it while the fingerprint is the same, and works it out again (and stores it) when
-- it differs. The quarter in progress is always worked out afresh (its figures move with the clock:
-- deadlines pass). The rows are the functions' numbers (a count, a part of a whole, a median over how
-- many people), never a row about a child or a person; staff trained is not stored (it is worked out under
-- the reader's own row-level security).
CREATE TABLE strategy_measure_quarter_values (
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  source text NOT NULL CHECK (source IN ('children_at_risk', 'return_interviews_72h', 'concerns_within_deadline',
                                         'disruptions', 'disruption_charges', 'disruption_convictions', 'days_to_first_disruption')),
  quarter_start date NOT NULL CHECK (extract(day FROM quarter_start) = 1 AND extract(month FROM quarter_start) IN (1, 4, 7, 10)),
  fingerprint text NOT NULL CHECK (length(fingerprint) BETWEEN 1 AND 200),
  computed_at timestamptz NOT NULL,
  -- {"value": number|null, "part": n, "whole": n, "persons": n}: the figure and what it is of.
  figures jsonb NOT NULL CHECK (jsonb_typeof(figures) = 'object'),
  PRIMARY KEY (partnership_id, source, quarter_start)
);
SELECT lantern_partnership_table('strategy_measure_quarter_values', 'SELECT, INSERT, UPDATE (fingerprint, computed_at, figures)');

-- The fingerprint of the records a source's function reads, for the acting partnership: for each table,
-- how many rows and the sum of their row versions (xmin: every insert and update gives the row a new one;
-- a delete changes the count). Cheap beside the figures themselves (one pass over the partnership's rows of
-- each table, no per-child risk rule), and the same for every reader, like the figures (SECURITY DEFINER).
CREATE FUNCTION lantern_measure_fingerprint(p_source text) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
DECLARE
  p uuid := lantern_partnership();
  tables text[];
  t text;
  part text;
  result text := '';
BEGIN
  IF p IS NULL THEN RETURN NULL; END IF;
  tables := CASE
    WHEN p_source = 'children_at_risk' THEN ARRAY['children', 'risk_assessments', 'strategy_meetings', 'concerns', 'child_risk_carried_over']
    WHEN p_source = 'return_interviews_72h' THEN ARRAY['missing_episodes', 'return_interviews']
    WHEN p_source = 'concerns_within_deadline' THEN ARRAY['concerns']
    WHEN p_source IN ('disruptions', 'disruption_charges', 'disruption_convictions', 'days_to_first_disruption')
      THEN ARRAY['intel_disruptions', 'intel_links', 'intel_report_links', 'intel_reports', 'persons_of_concern']
  END;
  IF tables IS NULL THEN RETURN NULL; END IF;
  FOREACH t IN ARRAY tables LOOP
    EXECUTE format('SELECT count(*) || '':'' || coalesce(sum(xmin::text::bigint), 0) FROM %I WHERE partnership_id = $1', t) INTO part USING p;
    result := result || part || '/';
  END LOOP;
  RETURN md5(result);
END
$$;
REVOKE ALL ON FUNCTION lantern_measure_fingerprint(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_measure_fingerprint(text) TO lantern_app;
