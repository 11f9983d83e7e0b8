-- Security events (issue 16 §4): sign-in failures, lockouts, break-glass, permission denials,
-- exports, unsuppressed statistics and the like, written beside the audit chain by
-- src/security-events.ts in the audit row's transaction, for the DPO's alerts page and a SIEM.
-- Only ids, the event, its outcome, the client address and the request id: no personal data.
-- The request role reads its own partnership's rows (row-level security) and writes none directly:
-- lantern_security_event takes the partnership, user and address from the acting context, as
-- lantern_audit does; the sign-in role states them (there is no actor yet). Kept for a year
-- (lantern_prune_security_events, run hourly by the server); the audit chain keeps everything.
CREATE TABLE security_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid REFERENCES partnerships(id),
  occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  event text NOT NULL CHECK (event ~ '^[a-z_]+(\.[a-z_]+)?$' AND length(event) <= 60),
  outcome text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
  user_id uuid,
  client_address text CHECK (length(client_address) <= 100),
  request_id text CHECK (length(request_id) <= 100),
  record_type text CHECK (length(record_type) <= 60),
  record_id text CHECK (length(record_id) <= 100),
  details jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX security_events_recent ON security_events (partnership_id, occurred_at DESC);
CREATE INDEX security_events_age ON security_events (occurred_at);

SELECT lantern_partnership_table('security_events', 'SELECT');

CREATE FUNCTION lantern_security_event(p_event text, p_outcome text, p_request_id text, p_record_type text, p_record_id text, p_details jsonb)
RETURNS TABLE (occurred_at timestamptz, user_id uuid, partnership_id uuid, client_address text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  c lantern_request_context%ROWTYPE;
BEGIN
  SELECT * INTO c FROM lantern_request_context
   WHERE backend_pid = pg_backend_pid() AND nonce = nullif(current_setting('lantern.ctx', true), '')::uuid;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'lantern: a security event needs an acting context' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN QUERY
  INSERT INTO security_events AS s (partnership_id, event, outcome, user_id, client_address, request_id, record_type, record_id, details)
  VALUES (c.acting_partnership, p_event, p_outcome, c.audit_user, c.client_address, left(p_request_id, 100), left(p_record_type, 60),
          left(p_record_id, 100), coalesce(p_details, '{}'::jsonb))
  RETURNING s.occurred_at, s.user_id, s.partnership_id, s.client_address;
END
$$;
REVOKE ALL ON FUNCTION lantern_security_event(text, text, text, text, text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_security_event(text, text, text, text, text, jsonb) TO lantern_app;

-- Sign-in's events (no acting context yet): only the sign-in events, as lantern_auth states them.
CREATE FUNCTION lantern_security_event_explicit(p_event text, p_outcome text, p_partnership uuid, p_user uuid, p_client_address text,
  p_request_id text, p_record_type text, p_record_id text, p_details jsonb)
RETURNS TABLE (occurred_at timestamptz, user_id uuid, partnership_id uuid, client_address text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF p_event NOT IN ('sign_in.failure', 'sign_in.locked', 'sign_in.second_factor_failure', 'password.change_failure') THEN
    RAISE EXCEPTION 'lantern: % is not a sign-in event', p_event USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN QUERY
  INSERT INTO security_events AS s (partnership_id, event, outcome, user_id, client_address, request_id, record_type, record_id, details)
  VALUES (p_partnership, p_event, p_outcome, p_user, left(p_client_address, 100), left(p_request_id, 100), left(p_record_type, 60),
          left(p_record_id, 100), coalesce(p_details, '{}'::jsonb))
  RETURNING s.occurred_at, s.user_id, s.partnership_id, s.client_address;
END
$$;
REVOKE ALL ON FUNCTION lantern_security_event_explicit(text, text, uuid, uuid, text, text, text, text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_security_event_explicit(text, text, uuid, uuid, text, text, text, text, jsonb) TO lantern_auth;

-- Retention: events older than the days given (at least 90) go, in every partnership; the count is returned.
CREATE FUNCTION lantern_prune_security_events(p_days int) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  removed bigint;
BEGIN
  DELETE FROM security_events WHERE occurred_at < now() - make_interval(days => greatest(p_days, 90));
  GET DIAGNOSTICS removed = ROW_COUNT;
  RETURN removed;
END
$$;
REVOKE ALL ON FUNCTION lantern_prune_security_events(int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_prune_security_events(int) TO lantern_app;
