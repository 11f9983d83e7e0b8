-- Cheaper row-level security on children, with the same meaning. The policies called
-- lantern_agency_can_see() (not inlinable: it holds a sub-select) and lantern_shared_children()
-- once per candidate row; an agency-scoped worker's worklist paid ~20,000 such calls to find 500
-- rows (docs/PERFORMANCE.md). Written as `id IN (SELECT …)`, each set is built once per query
-- (a hashed sub-plan) and every row is then a hash probe.

DROP POLICY children_agency ON children;
CREATE POLICY children_agency ON children
  USING (partnership_id = lantern_partnership()
         AND (lantern_scope() = 'partnership'
              OR owning_agency_id = lantern_agency()
              OR id IN (SELECT s.record_id FROM record_shares s
                        WHERE s.record_type = 'child' AND s.agency_id = lantern_agency() AND s.revoked_at IS NULL)))
  WITH CHECK (partnership_id = lantern_partnership());

DROP POLICY children_partnership_share ON children;
CREATE POLICY children_partnership_share ON children FOR SELECT
  USING (id IN (SELECT lantern_shared_children()));
