-- Computed performance measures. A measure's values are either entered by hand ('entered') or
-- worked out each quarter from Lantern's own records. The counting rules live in
-- src/features/strategy/computed-measures.ts; the three that read children's records are these
-- functions, because the people who read measures (board members, strategy leads) may not see
-- children's records: SECURITY DEFINER lets them count the whole partnership's records while
-- returning two numbers only, never a row of personal data.

ALTER TABLE strategy_measures
  ADD COLUMN source text NOT NULL DEFAULT 'entered'
    CHECK (source IN ('entered', 'children_at_risk', 'return_interviews_72h', 'concerns_within_deadline', 'staff_trained'));

-- Children at risk at the end of the quarter: open then (recorded by the quarter's end and not
-- closed by it) and either flagged for CSE or whose latest risk assessment up to the quarter's end
-- was judged in one of p_categories. numerator = that count; denominator is unused (NULL).
CREATE FUNCTION lantern_measure_children_at_risk(p_quarter_start date, p_categories text[])
RETURNS TABLE (numerator integer, denominator integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  WITH bounds AS (SELECT (p_quarter_start + interval '3 months') AS quarter_end_exclusive)
  SELECT count(*)::integer, NULL::integer
    FROM children c, bounds b
   WHERE c.partnership_id = lantern_partnership()
     AND c.created_at < b.quarter_end_exclusive
     AND (c.closed_at IS NULL OR c.closed_at >= b.quarter_end_exclusive)
     AND (c.flag_cse
          OR (SELECT ra.judgement_category FROM risk_assessments ra
               WHERE ra.partnership_id = c.partnership_id AND ra.child_id = c.id
                 AND ra.assessed_on < b.quarter_end_exclusive
               ORDER BY ra.assessed_on DESC, ra.created_at DESC LIMIT 1) = ANY (p_categories))
$$;

-- Return home interviews: of the missing or absent episodes that ended with the child's return in
-- the quarter (denominator), how many had an interview offered within 72 hours of the return (numerator).
CREATE FUNCTION lantern_measure_return_interviews_72h(p_quarter_start date)
RETURNS TABLE (numerator integer, denominator integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT count(*) FILTER (WHERE ri.offered_at <= e.ended_at + interval '72 hours')::integer,
         count(*)::integer
    FROM missing_episodes e
    LEFT JOIN return_interviews ri ON ri.partnership_id = e.partnership_id AND ri.episode_id = e.id
   WHERE e.partnership_id = lantern_partnership()
     AND e.ended_by = 'returned'
     AND e.ended_at >= p_quarter_start AND e.ended_at < p_quarter_start + interval '3 months'
$$;

-- Triage within the deadline: of the concerns whose triage deadline fell in the quarter and has
-- passed by p_as_of (denominator), how many were decided by their deadline (numerator). A concern still
-- undecided after its deadline counts as late.
CREATE FUNCTION lantern_measure_concerns_within_deadline(p_quarter_start date, p_as_of timestamptz)
RETURNS TABLE (numerator integer, denominator integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT count(*) FILTER (WHERE c.decided_at IS NOT NULL AND c.decided_at <= c.deadline_at)::integer,
         count(*)::integer
    FROM concerns c
   WHERE c.partnership_id = lantern_partnership()
     AND c.deadline_at >= p_quarter_start AND c.deadline_at < p_quarter_start + interval '3 months'
     AND c.deadline_at <= p_as_of
$$;

REVOKE ALL ON FUNCTION lantern_measure_children_at_risk(date, text[]), lantern_measure_return_interviews_72h(date),
  lantern_measure_concerns_within_deadline(date, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_measure_children_at_risk(date, text[]), lantern_measure_return_interviews_72h(date),
  lantern_measure_concerns_within_deadline(date, timestamptz) TO lantern_app;
