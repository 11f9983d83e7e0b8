-- Sessions an administrator sees and ends, and the person's own sign-in history (issue 16 §1).

-- How a session was opened: the first factor (a password or the organisation's provider) and the
-- second (an authenticator app's code, a passkey, or the provider's own). Older sessions have neither.
ALTER TABLE sessions
  ADD COLUMN sign_in_method text CHECK (sign_in_method IN ('password', 'oidc')),
  ADD COLUMN second_factor text CHECK (second_factor IN ('totp', 'passkey', 'provider'));

-- Every sign-in and failed attempt on an account, for its owner's account page. Written by sign-in
-- (lantern_auth) beside the audit row, in the same transaction; never changed or removed by a
-- request. Attempts with an email that is no account's name nobody and are not kept here.
CREATE TABLE sign_in_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  user_id uuid NOT NULL REFERENCES users (id),
  occurred_at timestamptz NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('success', 'failure', 'locked')),
  method text NOT NULL CHECK (method IN ('password', 'oidc', 'unknown')),            -- the first factor
  second_factor text CHECK (second_factor IN ('totp', 'passkey', 'provider')),       -- given, or tried and failed
  client_address text CHECK (length(client_address) <= 100),
  user_agent text CHECK (length(user_agent) <= 400)
);
CREATE INDEX sign_in_events_user_idx ON sign_in_events (user_id, occurred_at DESC);

-- Like sessions: sign-in's alone. Requests (lantern_app) cannot read it; the account page reads the
-- signed-in person's own rows through sign-in's role, by their user id.
ALTER TABLE sign_in_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE sign_in_events FORCE ROW LEVEL SECURITY;
REVOKE ALL ON sign_in_events FROM lantern_app;
GRANT SELECT, INSERT ON sign_in_events TO lantern_auth;
CREATE POLICY sign_in_events_auth_read ON sign_in_events FOR SELECT TO lantern_auth USING (true);
CREATE POLICY sign_in_events_auth_append ON sign_in_events FOR INSERT TO lantern_auth WITH CHECK (true);

-- An administrator's view of one person's open sessions: the person must be of the acting
-- partnership and the actor one of its administrators. A session is named by a hash of its id
-- (as on the account page), never by the id, which opens a database context.
CREATE FUNCTION lantern_user_sessions(p_user uuid)
RETURNS TABLE (shown_id text, created_at timestamptz, last_seen_at timestamptz, absolute_expires_at timestamptz,
               client_address text, user_agent text, sign_in_method text, second_factor text, stage text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT left(encode(sha256(convert_to(s.id || ':shown', 'UTF8')), 'hex'), 24), s.created_at, s.last_seen_at, s.absolute_expires_at,
         s.client_address, s.user_agent, s.sign_in_method, s.second_factor, s.stage
  FROM sessions s
  WHERE s.user_id = p_user AND s.ended_at IS NULL AND s.partnership_id = lantern_partnership()
    AND lantern_actor_roles() && ARRAY['partnership_admin', 'system_admin']::text[]
    AND s.stage IN ('signed_in', 'change_password')
  ORDER BY s.created_at DESC
  LIMIT 50
$$;
REVOKE ALL ON FUNCTION lantern_user_sessions(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_user_sessions(uuid) TO lantern_app;

-- Ends one of them, named as above; true if it was open.
CREATE FUNCTION lantern_end_user_session(p_user uuid, p_shown text, p_reason text, p_at timestamptz) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE n integer;
BEGIN
  IF NOT (lantern_actor_roles() && ARRAY['partnership_admin', 'system_admin']::text[]) THEN RETURN false; END IF;
  UPDATE sessions s SET ended_at = p_at, ended_reason = p_reason
  WHERE s.user_id = p_user AND s.ended_at IS NULL AND s.partnership_id = lantern_partnership()
    AND left(encode(sha256(convert_to(s.id || ':shown', 'UTF8')), 'hex'), 24) = p_shown;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n > 0;
END
$$;
REVOKE ALL ON FUNCTION lantern_end_user_session(uuid, text, text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_end_user_session(uuid, text, text, timestamptz) TO lantern_app;
