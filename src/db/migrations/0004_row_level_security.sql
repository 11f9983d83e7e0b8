-- Row-level security: defence in depth under src/authz. Every policy keys on the acting
-- partnership set by src/db/context.ts; agency-owned records also on the acting agency.

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['agencies', 'teams', 'users', 'sharing_agreements', 'partnership_access_grants',
                           'sessions', 'audit_events', 'children', 'record_shares']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
  END LOOP;
END
$$;

-- Partnership names and settings are not personal data: every signed-in user may read them.
GRANT SELECT ON partnerships TO lantern_app;
GRANT UPDATE (name, triage_hours, suppression_rule) ON partnerships TO lantern_app;

GRANT SELECT, INSERT, UPDATE ON agencies, teams, users, sharing_agreements, partnership_access_grants, children, record_shares TO lantern_app;
GRANT SELECT ON sessions TO lantern_app;
GRANT SELECT, INSERT ON audit_events TO lantern_app;

CREATE POLICY agencies_partnership ON agencies USING (partnership_id = lantern_partnership());
CREATE POLICY teams_partnership ON teams USING (partnership_id = lantern_partnership());
CREATE POLICY users_partnership ON users USING (partnership_id = lantern_partnership());
-- An agreement is visible to both of its partnerships; only the sharing one can change it.
CREATE POLICY sharing_agreements_read ON sharing_agreements FOR SELECT
  USING (partnership_id = lantern_partnership() OR recipient_partnership_id = lantern_partnership());
CREATE POLICY sharing_agreements_write ON sharing_agreements FOR INSERT WITH CHECK (partnership_id = lantern_partnership());
CREATE POLICY sharing_agreements_update ON sharing_agreements FOR UPDATE USING (partnership_id = lantern_partnership());
CREATE POLICY access_grants_partnership ON partnership_access_grants USING (partnership_id = lantern_partnership());
CREATE POLICY sessions_partnership ON sessions FOR SELECT USING (partnership_id = lantern_partnership());
CREATE POLICY audit_read ON audit_events FOR SELECT USING (partnership_id = lantern_partnership());
CREATE POLICY audit_append ON audit_events FOR INSERT WITH CHECK (partnership_id = lantern_partnership());
CREATE POLICY children_agency ON children
  USING (partnership_id = lantern_partnership() AND lantern_agency_can_see('child', id, owning_agency_id))
  WITH CHECK (partnership_id = lantern_partnership());
CREATE POLICY record_shares_partnership ON record_shares USING (partnership_id = lantern_partnership());

-- Ending a user's sessions (account disabled) is the one session write an administrator's
-- request needs; it is limited to users of the acting partnership.
CREATE FUNCTION lantern_end_sessions(p_user uuid, p_reason text, p_at timestamptz) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
  UPDATE sessions SET ended_at = p_at, ended_reason = p_reason
  WHERE user_id = p_user AND ended_at IS NULL AND partnership_id = lantern_partnership()
$$;
REVOKE ALL ON FUNCTION lantern_end_sessions(uuid, text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_end_sessions(uuid, text, timestamptz) TO lantern_app;
