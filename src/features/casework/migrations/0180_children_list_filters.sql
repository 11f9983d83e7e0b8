-- The children list's filters and sorts (issue 10 §3), kept fast at 200,000 children (docs/PERFORMANCE.md).
-- After the casework tables (0150) and the current risk level (0170), which it reads.
--
-- Row-level security on children ORs two permissive policies, so partnership_id never leads an index
-- the list can use (0102): these lead with status (the list's "open / closed" choice) and then the
-- sort, so that a filter on the child's own columns walks the rows in order and stops after a page.

-- The one order of severity, for sorting by risk level: high first, no level last.
CREATE FUNCTION lantern_risk_rank(p_level text) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE p_level WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'low' THEN 2 ELSE 3 END
$$;

-- When anything last happened on the child's record: kept by triggers from its concerns, assessments,
-- missing episodes, meetings, plan actions, notes and flags, for the list's "last activity" sort.
ALTER TABLE children ADD COLUMN last_activity_at timestamptz;
-- Set-based: each source's latest per child, once (a correlated subquery per child was quadratic at 200,000).
UPDATE children c SET last_activity_at = greatest(c.updated_at, x.at)
  FROM (SELECT child_id, max(at) AS at FROM (
          SELECT child_id, max(received_at) AS at FROM concerns WHERE child_id IS NOT NULL GROUP BY child_id
          UNION ALL SELECT child_id, max(created_at) FROM risk_assessments GROUP BY child_id
          UNION ALL SELECT child_id, max(created_at) FROM missing_episodes GROUP BY child_id
          UNION ALL SELECT child_id, max(created_at) FROM strategy_meetings GROUP BY child_id
          UNION ALL SELECT child_id, max(created_at) FROM plan_actions GROUP BY child_id
          UNION ALL SELECT child_id, max(created_at) FROM case_notes GROUP BY child_id
          UNION ALL SELECT child_id, max(updated_at) FROM child_flags GROUP BY child_id) s
        GROUP BY child_id) x
 WHERE x.child_id = c.id;
UPDATE children SET last_activity_at = updated_at WHERE last_activity_at IS NULL;
ALTER TABLE children ALTER COLUMN last_activity_at SET DEFAULT now(), ALTER COLUMN last_activity_at SET NOT NULL;

-- Statement-level, over the rows the statement wrote: a set-based seed of thousands of rows is one UPDATE.
CREATE FUNCTION lantern_child_touched() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  UPDATE children c SET last_activity_at = now()
    FROM (SELECT DISTINCT child_id FROM new_rows WHERE child_id IS NOT NULL) n
   WHERE c.id = n.child_id AND c.last_activity_at < now();
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION lantern_child_touched() FROM PUBLIC;
CREATE TRIGGER concerns_touch_child_insert AFTER INSERT ON concerns REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lantern_child_touched();
CREATE TRIGGER concerns_touch_child_update AFTER UPDATE ON concerns REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lantern_child_touched();
CREATE TRIGGER risk_assessments_touch_child_insert AFTER INSERT ON risk_assessments REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lantern_child_touched();
CREATE TRIGGER missing_episodes_touch_child_insert AFTER INSERT ON missing_episodes REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lantern_child_touched();
CREATE TRIGGER missing_episodes_touch_child_update AFTER UPDATE ON missing_episodes REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lantern_child_touched();
CREATE TRIGGER strategy_meetings_touch_child_insert AFTER INSERT ON strategy_meetings REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lantern_child_touched();
CREATE TRIGGER strategy_meetings_touch_child_update AFTER UPDATE ON strategy_meetings REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lantern_child_touched();
CREATE TRIGGER plan_actions_touch_child_insert AFTER INSERT ON plan_actions REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lantern_child_touched();
CREATE TRIGGER plan_actions_touch_child_update AFTER UPDATE ON plan_actions REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lantern_child_touched();
CREATE TRIGGER case_notes_touch_child_insert AFTER INSERT ON case_notes REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lantern_child_touched();
CREATE TRIGGER child_flags_touch_child_insert AFTER INSERT ON child_flags REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lantern_child_touched();
CREATE TRIGGER child_flags_touch_child_update AFTER UPDATE ON child_flags REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lantern_child_touched();

-- Until when the child was last missing or absent ('infinity' while an episode is open; NULL: never),
-- kept from its episodes, so "missing in the last 30 days" is a condition on the row.
ALTER TABLE children ADD COLUMN missing_until timestamptz;
CREATE FUNCTION lantern_child_missing_sync() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  UPDATE children c SET missing_until = m.until
    FROM (SELECT k.child_id, max(coalesce(e.ended_at, 'infinity'::timestamptz)) AS until
            FROM (SELECT DISTINCT child_id FROM new_rows) k JOIN missing_episodes e ON e.child_id = k.child_id
           GROUP BY k.child_id) m
   WHERE c.id = m.child_id AND c.missing_until IS DISTINCT FROM m.until;
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION lantern_child_missing_sync() FROM PUBLIC;
CREATE TRIGGER missing_episodes_child_insert AFTER INSERT ON missing_episodes REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lantern_child_missing_sync();
CREATE TRIGGER missing_episodes_child_update AFTER UPDATE ON missing_episodes REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lantern_child_missing_sync();
UPDATE children c SET missing_until = m.until
  FROM (SELECT child_id, max(coalesce(ended_at, 'infinity'::timestamptz)) AS until FROM missing_episodes GROUP BY child_id) m
 WHERE c.id = m.child_id;
CREATE INDEX children_missing_until_idx ON children (missing_until) WHERE missing_until IS NOT NULL;

-- Each sort, within the open / closed choice (name order is 0102's children_list_order_idx).
CREATE INDEX children_list_reference_idx ON children (status, reference, id);
CREATE INDEX children_list_risk_idx ON children (status, lantern_risk_rank(current_risk_level), family_name, given_name, id);
CREATE INDEX children_list_age_idx ON children (status, date_of_birth DESC NULLS LAST, id);
CREATE INDEX children_list_activity_idx ON children (status, last_activity_at DESC, id);
-- A filter on the current level, in name order.
CREATE INDEX children_list_level_idx ON children (current_risk_level, status, family_name, given_name, id);
ANALYZE children; ANALYZE missing_episodes; ANALYZE child_involvements;
