-- Who a request is, as the database knows it (security review M6, November 2026).
--
-- Before: requests ran as the table owner and switched to lantern_app with SET LOCAL ROLE, and the
-- acting partnership, agency, user and scope were GUCs the request itself set. A statement inside a
-- request could switch back to the owner, or set another partnership's id and read its children.
--
-- Now:
--  * requests connect with a login that is a member of lantern_app only (src/db/logins.ts makes
--    lantern_web for development and CI); sign-in connects with a login that is a member of
--    lantern_auth only (lantern_signin). Neither is a superuser or the owner, so neither can
--    assume another role;
--  * the acting context is a row of lantern_request_context, written only by the SECURITY DEFINER
--    functions below after they have checked a live, fully signed-in session (or an approved API
--    token), and found by this connection's pid and a random nonce that lives for one transaction.
--    lantern_partnership() and the others read that row; the GUCs no longer mean anything;
--  * secrets (password hashes, TOTP secrets, session ids, token hashes) are not readable by
--    lantern_app at all; sign-in reads them as lantern_auth;
--  * audit rows are written by lantern_audit(), which takes the actor, partnership, client address
--    and user agent from the context. lantern_app cannot insert into audit_events.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lantern_auth') THEN
    CREATE ROLE lantern_auth NOLOGIN NOBYPASSRLS NOSUPERUSER NOCREATEDB NOCREATEROLE;
  END IF;
END
$$;
GRANT USAGE ON SCHEMA public TO lantern_auth;
-- Nobody but the owner creates objects in the schema (PostgreSQL 15's default, made explicit): the
-- SECURITY DEFINER functions below resolve operators and casts through the caller's search_path.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- ---- The acting context --------------------------------------------------------------------------

-- One row per database connection, replaced at the start of each request transaction. UNLOGGED: it
-- is scratch that must not survive a crash, and writing it costs no WAL. No partnership_id column:
-- it holds no partnership's records, only who is acting on this connection now.
CREATE UNLOGGED TABLE lantern_request_context (
  backend_pid integer PRIMARY KEY,
  nonce uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('session', 'api_token', 'trusted')),
  acting_partnership uuid NOT NULL,
  acting_agency uuid,
  acting_user uuid,          -- who row-level security sees (NULL for an API token)
  audit_user uuid,           -- who is accountable in the audit trail (a token's issuer)
  scope text NOT NULL CHECK (scope IN ('partnership', 'agency')),
  roles text[] NOT NULL,
  actor_label text NOT NULL,
  api_token uuid,
  client_address text,
  user_agent text
);
REVOKE ALL ON lantern_request_context FROM PUBLIC;

-- The context of this transaction, or nothing. Object names are qualified because these run with
-- the owner's rights and no search_path of their own (a SET clause would make each call dearer).
-- PL/pgSQL keeps each lookup's plan for the session; a SQL function that cannot be inlined (as a
-- SECURITY DEFINER one cannot) plans its query again in every statement that calls it.
CREATE OR REPLACE FUNCTION lantern_partnership() RETURNS uuid LANGUAGE plpgsql STABLE SECURITY DEFINER AS $$
DECLARE
  v uuid;
BEGIN
  SELECT c.acting_partnership INTO v FROM public.lantern_request_context c
   WHERE c.backend_pid = pg_catalog.pg_backend_pid()
     AND c.nonce = nullif(pg_catalog.current_setting('lantern.ctx', true), '')::uuid;
  RETURN v;
END
$$;
CREATE OR REPLACE FUNCTION lantern_agency() RETURNS uuid LANGUAGE plpgsql STABLE SECURITY DEFINER AS $$
DECLARE
  v uuid;
BEGIN
  SELECT c.acting_agency INTO v FROM public.lantern_request_context c
   WHERE c.backend_pid = pg_catalog.pg_backend_pid()
     AND c.nonce = nullif(pg_catalog.current_setting('lantern.ctx', true), '')::uuid;
  RETURN v;
END
$$;
CREATE OR REPLACE FUNCTION lantern_user() RETURNS uuid LANGUAGE plpgsql STABLE SECURITY DEFINER AS $$
DECLARE
  v uuid;
BEGIN
  SELECT c.acting_user INTO v FROM public.lantern_request_context c
   WHERE c.backend_pid = pg_catalog.pg_backend_pid()
     AND c.nonce = nullif(pg_catalog.current_setting('lantern.ctx', true), '')::uuid;
  RETURN v;
END
$$;
CREATE OR REPLACE FUNCTION lantern_scope() RETURNS text LANGUAGE plpgsql STABLE SECURITY DEFINER AS $$
DECLARE
  v text;
BEGIN
  SELECT c.scope INTO v FROM public.lantern_request_context c
   WHERE c.backend_pid = pg_catalog.pg_backend_pid()
     AND c.nonce = nullif(pg_catalog.current_setting('lantern.ctx', true), '')::uuid;
  RETURN v;
END
$$;
CREATE FUNCTION lantern_actor_roles() RETURNS text[] LANGUAGE plpgsql STABLE SECURITY DEFINER AS $$
DECLARE
  v text[];
BEGIN
  SELECT c.roles INTO v FROM public.lantern_request_context c
   WHERE c.backend_pid = pg_catalog.pg_backend_pid()
     AND c.nonce = nullif(pg_catalog.current_setting('lantern.ctx', true), '')::uuid;
  RETURN coalesce(v, '{}'::text[]);
END
$$;
CREATE FUNCTION lantern_actor_kind() RETURNS text LANGUAGE plpgsql STABLE SECURITY DEFINER AS $$
DECLARE
  v text;
BEGIN
  SELECT c.kind INTO v FROM public.lantern_request_context c
   WHERE c.backend_pid = pg_catalog.pg_backend_pid()
     AND c.nonce = nullif(pg_catalog.current_setting('lantern.ctx', true), '')::uuid;
  RETURN v;
END
$$;

-- Writes this connection's context and the transaction-local nonce that finds it.
CREATE FUNCTION lantern_set_context(p_kind text, p_partnership uuid, p_agency uuid, p_user uuid, p_audit_user uuid, p_roles text[],
  p_label text, p_api_token uuid, p_client text, p_agent text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  n uuid := gen_random_uuid();
BEGIN
  INSERT INTO lantern_request_context AS c (backend_pid, nonce, kind, acting_partnership, acting_agency, acting_user, audit_user, scope,
    roles, actor_label, api_token, client_address, user_agent)
  VALUES (pg_backend_pid(), n, p_kind, p_partnership, p_agency, p_user, p_audit_user,
    CASE WHEN p_roles && ARRAY['triage_worker', 'coordinator', 'analyst']::text[] THEN 'partnership' ELSE 'agency' END,
    p_roles, left(p_label, 320), p_api_token, left(p_client, 100), left(p_agent, 400))
  ON CONFLICT (backend_pid) DO UPDATE SET nonce = EXCLUDED.nonce, kind = EXCLUDED.kind, acting_partnership = EXCLUDED.acting_partnership,
    acting_agency = EXCLUDED.acting_agency, acting_user = EXCLUDED.acting_user, audit_user = EXCLUDED.audit_user, scope = EXCLUDED.scope,
    roles = EXCLUDED.roles, actor_label = EXCLUDED.actor_label, api_token = EXCLUDED.api_token,
    client_address = EXCLUDED.client_address, user_agent = EXCLUDED.user_agent;
  PERFORM set_config('lantern.ctx', n::text, true);
END
$$;
REVOKE ALL ON FUNCTION lantern_set_context(text, uuid, uuid, uuid, uuid, text[], text, uuid, text, text) FROM PUBLIC;

-- A request of a signed-in person. p_session is the session id (a SHA-256 of the cookie's token),
-- which lantern_app cannot read from the sessions table. Roles come from the account, or from the
-- live grant under a sharing agreement when acting in a neighbouring partnership. The idle and
-- absolute limits are checked by the application's clock before this runs (src/auth/service.ts);
-- here the session must be live (not ended) and fully signed in, and the account enabled.
CREATE FUNCTION lantern_begin_session(p_session text, p_client text, p_agent text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  s record;
  r text[];
BEGIN
  SELECT se.acting_partnership_id, u.id AS user_id, u.partnership_id AS home, u.agency_id, u.roles, u.email
    INTO s
    FROM sessions se JOIN users u ON u.id = se.user_id
   WHERE se.id = p_session AND se.ended_at IS NULL AND se.stage = 'signed_in' AND u.disabled_at IS NULL;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'lantern: no live session' USING ERRCODE = 'insufficient_privilege';
  END IF;
  r := s.roles;
  IF s.acting_partnership_id <> s.home THEN
    SELECT g.roles INTO r
      FROM partnership_access_grants g JOIN sharing_agreements a ON a.id = g.agreement_id
     WHERE g.user_id = s.user_id AND g.partnership_id = s.acting_partnership_id AND g.revoked_at IS NULL
       AND a.recipient_partnership_id = s.home
       AND a.starts_on <= current_date AND (a.ends_on IS NULL OR a.ends_on >= current_date);
    IF NOT FOUND THEN
      RAISE EXCEPTION 'lantern: no live grant in the acting partnership' USING ERRCODE = 'insufficient_privilege';
    END IF;
  END IF;
  PERFORM lantern_set_context('session', s.acting_partnership_id, s.agency_id, s.user_id, s.user_id, r, s.email, NULL, p_client, p_agent);
END
$$;
REVOKE ALL ON FUNCTION lantern_begin_session(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_begin_session(text, text, text) TO lantern_app;

-- For the owner only (the command line, tests): act as a stated context without a session.
CREATE FUNCTION lantern_begin_trusted(p_partnership uuid, p_agency uuid, p_user uuid, p_roles text[], p_label text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  PERFORM lantern_set_context('trusted', p_partnership, p_agency, p_user, p_user, p_roles, p_label, NULL, 'local', NULL);
END
$$;
REVOKE ALL ON FUNCTION lantern_begin_trusted(uuid, uuid, uuid, text[], text) FROM PUBLIC;

-- ---- Row-level security reads the context once per statement --------------------------------------

-- The context functions are now lookups, no longer inlined GUC reads. Written as scalar sub-selects
-- in a policy they become init-plans: evaluated once per statement, then a constant for every row.
-- This rewrites every policy that calls one bare; src/db/migrate.ts runs it after each migration run,
-- so the policies of later migrations get the same treatment (it changes nothing the second time).
CREATE FUNCTION lantern_policies_read_context_once() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  p record;
  pattern constant text := '(?<!SELECT )\m(lantern_(partnership|agency|user|scope|actor_roles|actor_kind)\(\))';
  q text;
  c text;
  changed integer := 0;
BEGIN
  FOR p IN SELECT schemaname, tablename, policyname, qual, with_check FROM pg_policies WHERE schemaname = 'public' LOOP
    q := regexp_replace(p.qual, pattern, '(SELECT \1)', 'g');
    c := regexp_replace(p.with_check, pattern, '(SELECT \1)', 'g');
    IF q IS DISTINCT FROM p.qual OR c IS DISTINCT FROM p.with_check THEN
      EXECUTE format('ALTER POLICY %I ON %I.%I%s%s', p.policyname, p.schemaname, p.tablename,
        CASE WHEN q IS NULL THEN '' ELSE ' USING (' || q || ')' END,
        CASE WHEN c IS NULL THEN '' ELSE ' WITH CHECK (' || c || ')' END);
      changed := changed + 1;
    END IF;
  END LOOP;
  RETURN changed;
END
$$;
REVOKE ALL ON FUNCTION lantern_policies_read_context_once() FROM PUBLIC;

-- ---- Partnerships: readable by all, changed only by the acting partnership's administrators ------

ALTER TABLE partnerships ENABLE ROW LEVEL SECURITY;
CREATE POLICY partnerships_read ON partnerships FOR SELECT USING (true);
CREATE POLICY partnerships_own ON partnerships FOR UPDATE TO lantern_app
  USING (id = (SELECT lantern_partnership()) AND (SELECT lantern_actor_roles()) && ARRAY['partnership_admin', 'system_admin']::text[])
  WITH CHECK (id = (SELECT lantern_partnership()));

-- ---- Secrets are out of the request role's reach ----------------------------------------------------

REVOKE ALL ON sessions FROM lantern_app;

ALTER TABLE users
  ADD COLUMN password_expires_at timestamptz,
  ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;
REVOKE ALL ON users FROM lantern_app;
GRANT SELECT (id, partnership_id, agency_id, team_id, email, display_name, job_title, roles, totp_enrolled_at, started_on, disabled_at,
  created_at, updated_at, password_expires_at, must_change_password) ON users TO lantern_app;
GRANT INSERT (partnership_id, agency_id, team_id, email, display_name, job_title, roles, started_on, password_hash, password_expires_at,
  must_change_password) ON users TO lantern_app;
GRANT UPDATE (agency_id, team_id, display_name, job_title, roles, started_on, disabled_at, updated_at) ON users TO lantern_app;
-- Only the acting partnership's administrators add or change people.
CREATE POLICY users_admin_insert ON users AS RESTRICTIVE FOR INSERT TO lantern_app
  WITH CHECK ((SELECT lantern_actor_roles()) && ARRAY['partnership_admin', 'system_admin']::text[]);
CREATE POLICY users_admin_update ON users AS RESTRICTIVE FOR UPDATE TO lantern_app
  USING ((SELECT lantern_actor_roles()) && ARRAY['partnership_admin', 'system_admin']::text[]);

-- ---- What sign-in (lantern_auth) may do -------------------------------------------------------------

GRANT SELECT ON users, sessions, agencies, partnerships, partnership_access_grants, sharing_agreements TO lantern_auth;
GRANT UPDATE (password_hash, password_expires_at, must_change_password, totp_secret, totp_enrolled_at, totp_last_step, updated_at)
  ON users TO lantern_auth;
GRANT INSERT, UPDATE ON sessions TO lantern_auth;
GRANT SELECT, INSERT, UPDATE, DELETE ON sign_in_throttle TO lantern_auth;
GRANT INSERT ON audit_events TO lantern_auth;
CREATE POLICY users_auth ON users TO lantern_auth USING (true) WITH CHECK (true);
CREATE POLICY sessions_auth ON sessions TO lantern_auth USING (true) WITH CHECK (true);
CREATE POLICY agencies_auth ON agencies FOR SELECT TO lantern_auth USING (true);
CREATE POLICY access_grants_auth ON partnership_access_grants FOR SELECT TO lantern_auth USING (true);
CREATE POLICY sharing_agreements_auth ON sharing_agreements FOR SELECT TO lantern_auth USING (true);
-- Sign-in events name the account tried (there is no signed-in actor yet).
CREATE POLICY audit_auth_append ON audit_events FOR INSERT TO lantern_auth WITH CHECK (true);
-- The pre-sign-in and password-change stages.
ALTER TABLE sessions DROP CONSTRAINT sessions_stage_check;
ALTER TABLE sessions ADD CONSTRAINT sessions_stage_check CHECK (stage IN ('second_factor', 'enrol', 'change_password', 'signed_in'));
ALTER TABLE sessions ADD COLUMN client_address text, ADD COLUMN user_agent text;

-- ---- Audit rows: written by lantern_audit(), the actor taken from the context ----------------------

ALTER TABLE audit_events ADD COLUMN user_agent text, ADD COLUMN disclosed_ids uuid[];
-- The records a list, search or worklist disclosed are in the chained row (disclosed_ids). Each
-- record's access log needs them by record, newest first: audit_disclosures is that index, one row
-- per record a row disclosed, written with the row by lantern_audit() and, like the trail, never
-- changed. (A GIN index on the array could not be used under row-level security, whose operator is
-- not leakproof, and sorted every disclosure of a record: a child on the first page of a list is
-- disclosed thousands of times.)
CREATE TABLE audit_disclosures (
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  record_id uuid NOT NULL,
  audit_event_id bigint NOT NULL,          -- audit_events.id (no foreign key: the trail is checked by its chain)
  occurred_at timestamptz NOT NULL
);
CREATE INDEX audit_disclosures_record_idx ON audit_disclosures (partnership_id, record_id, occurred_at DESC, audit_event_id DESC);
ALTER TABLE audit_disclosures ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_disclosures FORCE ROW LEVEL SECURITY;
GRANT SELECT ON audit_disclosures TO lantern_app;
CREATE POLICY audit_disclosures_read ON audit_disclosures FOR SELECT USING (partnership_id = lantern_partnership());
CREATE TRIGGER audit_disclosures_no_update BEFORE UPDATE OR DELETE ON audit_disclosures FOR EACH ROW EXECUTE FUNCTION lantern_audit_immutable();
CREATE TRIGGER audit_disclosures_no_truncate BEFORE TRUNCATE ON audit_disclosures FOR EACH STATEMENT EXECUTE FUNCTION lantern_audit_immutable();

-- The rows of the acting partnership's trail that disclosed a record, newest first.
CREATE FUNCTION lantern_disclosures(p_record uuid, p_limit integer)
RETURNS TABLE (id bigint, occurred_at timestamptz, actor_label text, action text, reason text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT e.id, e.occurred_at, e.actor_label, e.action, e.reason
    FROM audit_disclosures d JOIN audit_events e ON e.id = d.audit_event_id
   WHERE d.partnership_id = lantern_partnership() AND d.record_id = p_record
   ORDER BY d.occurred_at DESC, d.audit_event_id DESC LIMIT p_limit
$$;
REVOKE ALL ON FUNCTION lantern_disclosures(uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_disclosures(uuid, integer) TO lantern_app;

-- A record's access-log panel in one statement: the rows about the record and the rows that
-- disclosed it in a list, the acting partnership's only (as audit_read allows), newest first.
CREATE FUNCTION lantern_access_log(p_record_type text, p_record_id text, p_limit integer)
RETURNS TABLE (id bigint, occurred_at timestamptz, actor_label text, action text, reason text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT * FROM (
    (SELECT e.id, e.occurred_at, e.actor_label, e.action, e.reason FROM audit_events e
      WHERE e.partnership_id = lantern_partnership() AND e.record_type = p_record_type AND e.record_id = p_record_id
      ORDER BY e.occurred_at DESC, e.id DESC LIMIT p_limit)
    UNION
    (SELECT e.id, e.occurred_at, e.actor_label, e.action, e.reason
       FROM audit_disclosures d JOIN audit_events e ON e.id = d.audit_event_id
      WHERE d.partnership_id = lantern_partnership()
        AND d.record_id = CASE WHEN p_record_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN p_record_id::uuid END
      ORDER BY d.occurred_at DESC, d.audit_event_id DESC LIMIT p_limit)
  ) AS log ORDER BY occurred_at DESC, id DESC LIMIT p_limit
$$;
REVOKE ALL ON FUNCTION lantern_access_log(text, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_access_log(text, text, integer) TO lantern_app;

-- The hashed text gains the two columns only when a row has them, so every earlier row hashes as before.
CREATE OR REPLACE FUNCTION lantern_audit_payload(e audit_events) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT concat_ws(E'\x1f',
    e.chain_id::text, e.seq::text,
    to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    coalesce(e.actor_user_id::text, ''), e.actor_label, e.action,
    coalesce(e.record_type, ''), coalesce(e.record_id, ''), coalesce(e.reason, ''),
    e.details::text, coalesce(e.client_address, ''))
  || CASE WHEN e.user_agent IS NULL AND e.disclosed_ids IS NULL THEN ''
          ELSE E'\x1f' || coalesce(e.user_agent, '') || E'\x1f' || coalesce(array_to_string(e.disclosed_ids, ','), '') END
$$;

REVOKE INSERT ON audit_events FROM lantern_app;
DROP POLICY audit_append ON audit_events;

-- p_expect_partnership and p_expect_user are what the application believes the context is; a
-- difference is a defect, and the action is refused rather than recorded under the wrong name.
CREATE FUNCTION lantern_audit(p_action text, p_record_type text, p_record_id text, p_reason text, p_details jsonb,
  p_disclosed_ids uuid[], p_expect_partnership uuid, p_expect_user uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  c lantern_request_context%ROWTYPE;
  written record;
BEGIN
  SELECT * INTO c FROM lantern_request_context
   WHERE backend_pid = pg_backend_pid() AND nonce = nullif(current_setting('lantern.ctx', true), '')::uuid;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'lantern: an audit row needs an acting context' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (p_expect_partnership IS NOT NULL AND p_expect_partnership IS DISTINCT FROM c.acting_partnership)
     OR (p_expect_user IS NOT NULL AND p_expect_user IS DISTINCT FROM c.audit_user) THEN
    RAISE EXCEPTION 'lantern: the audit row''s actor is not the acting context' USING ERRCODE = 'insufficient_privilege';
  END IF;
  INSERT INTO audit_events (partnership_id, chain_id, seq, actor_user_id, actor_label, action, record_type, record_id, reason, details,
    client_address, user_agent, disclosed_ids, prev_hash, hash)
  VALUES (c.acting_partnership, c.acting_partnership, 0, c.audit_user, c.actor_label, p_action, p_record_type, p_record_id, p_reason,
    coalesce(p_details, '{}'::jsonb) || CASE WHEN c.api_token IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('apiToken', c.api_token) END,
    c.client_address, c.user_agent, p_disclosed_ids, '', '')
  RETURNING id, occurred_at INTO written;
  IF p_disclosed_ids IS NOT NULL THEN
    INSERT INTO audit_disclosures (partnership_id, record_id, audit_event_id, occurred_at)
    SELECT DISTINCT c.acting_partnership, r, written.id, written.occurred_at FROM unnest(p_disclosed_ids) AS r;
  END IF;
END
$$;
REVOKE ALL ON FUNCTION lantern_audit(text, text, text, text, jsonb, uuid[], uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_audit(text, text, text, text, jsonb, uuid[], uuid, uuid) TO lantern_app;

-- The owning partnership's copy of a neighbour's view: the actor now comes from the context too
-- (p_actor_label is kept for the signature and ignored).
CREATE OR REPLACE FUNCTION lantern_audit_shared_view(p_child uuid, p_actor_label text, p_details jsonb)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  owner uuid;
  c lantern_request_context%ROWTYPE;
BEGIN
  SELECT * INTO c FROM lantern_request_context
   WHERE backend_pid = pg_backend_pid() AND nonce = nullif(current_setting('lantern.ctx', true), '')::uuid;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'lantern: an audit row needs an acting context' USING ERRCODE = 'insufficient_privilege';
  END IF;
  SELECT ch.partnership_id INTO owner FROM children ch
  WHERE ch.id = p_child AND ch.partnership_id <> c.acting_partnership
    AND EXISTS (SELECT 1 FROM lantern_shared_children() s WHERE s = ch.id);
  IF owner IS NULL THEN
    RAISE EXCEPTION 'lantern: child % is not shared with the acting partnership', p_child USING ERRCODE = 'insufficient_privilege';
  END IF;
  INSERT INTO audit_events (partnership_id, chain_id, seq, actor_user_id, actor_label, action, record_type, record_id, details,
    client_address, user_agent, prev_hash, hash)
  VALUES (owner, owner, 0, c.audit_user, c.actor_label, 'record.view', 'child', p_child::text,
          coalesce(p_details, '{}'::jsonb) || jsonb_build_object('viewer_partnership', c.acting_partnership),
          c.client_address, c.user_agent, '', '');
END
$$;

-- /health reports the newest migration through the request login.
GRANT SELECT ON lantern_migrations TO lantern_app;
