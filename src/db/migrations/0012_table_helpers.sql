-- The row-level security every table after the core ones gets, in one call instead of the same
-- ENABLE / FORCE / CREATE POLICY / GRANT block per table (issue 9). Each helper
--  * enables and forces row-level security (forced: the owner's own statements obey it too),
--  * grants lantern_app exactly the privileges named, e.g. 'SELECT, INSERT' or
--    'SELECT, INSERT, UPDATE (status, note)' (a column list limits that privilege to those columns),
--  * and, but for lantern_rls_table, creates the standard policy, which reads the acting context
--    once per statement as migration 0009 asks of every policy:
--      lantern_partnership_table: <table>_partnership, rows of the acting partnership only;
--      lantern_child_table:       <table>_child, rows of the acting partnership whose child the actor
--                                 may see (children's policies decide: agency, sharing, restriction).
-- A table with rules of its own (concerns, break-glass grants, restriction changes) calls
-- lantern_rls_table and writes its policies out. test/integration/row-level-security.test.ts checks
-- every table from the catalogue, whichever way it was made.

CREATE FUNCTION lantern_rls_table(p_table regclass, p_privileges text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF p_privileges !~ '^(SELECT|INSERT|UPDATE|DELETE)( \([a-z0-9_, ]+\))?(, (SELECT|INSERT|UPDATE|DELETE)( \([a-z0-9_, ]+\))?)*$' THEN
    RAISE EXCEPTION 'lantern: "%" is not a list of privileges for %', p_privileges, p_table;
  END IF;
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', p_table);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', p_table);
  EXECUTE format('GRANT %s ON %s TO lantern_app', p_privileges, p_table);
END
$$;

-- The one permissive policy of a standard table: the same rule for the rows read and the rows written.
CREATE FUNCTION lantern_standard_policy(p_table regclass, p_suffix text, p_rule text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE POLICY %I ON %s USING (%s) WITH CHECK (%s)',
    (SELECT relname FROM pg_class WHERE oid = p_table) || p_suffix, p_table, p_rule, p_rule);
END
$$;

CREATE FUNCTION lantern_partnership_table(p_table regclass, p_privileges text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM lantern_rls_table(p_table, p_privileges);
  PERFORM lantern_standard_policy(p_table, '_partnership', 'partnership_id = (SELECT lantern_partnership())');
END
$$;

-- For a table of a child's record (a child_id column): a row is visible and writable with its child.
CREATE FUNCTION lantern_child_table(p_table regclass, p_privileges text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM lantern_rls_table(p_table, p_privileges);
  PERFORM lantern_standard_policy(p_table, '_child',
    'partnership_id = (SELECT lantern_partnership()) AND EXISTS (SELECT 1 FROM children c WHERE c.id = child_id)');
END
$$;

REVOKE ALL ON FUNCTION lantern_rls_table(regclass, text), lantern_standard_policy(regclass, text, text),
  lantern_partnership_table(regclass, text), lantern_child_table(regclass, text) FROM PUBLIC;
