-- The quarterly count of children at risk (computed measure 'children_at_risk') reads the one rule of
-- a child's risk level (migration 0170, lantern_child_risk) as it stood at the quarter's end, instead of
-- the latest assessment's tool band: open then, and flagged for CSE or at one of p_categories (levels).
CREATE OR REPLACE FUNCTION lantern_measure_children_at_risk(p_quarter_start date, p_categories text[])
RETURNS TABLE (numerator integer, denominator integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  WITH bounds AS (SELECT (p_quarter_start + interval '3 months') AS quarter_end_exclusive)
  SELECT count(*)::integer, NULL::integer
    FROM children c, bounds b
   WHERE c.partnership_id = lantern_partnership()
     AND c.created_at < b.quarter_end_exclusive
     AND (c.closed_at IS NULL OR c.closed_at >= b.quarter_end_exclusive)
     AND (c.flag_cse
          OR (SELECT r.level FROM lantern_child_risk(c.partnership_id, c.id, b.quarter_end_exclusive::date) r) = ANY (p_categories))
$$;

