-- The children feature's part of the request identity (migration 0009, security review M6): API
-- tokens' hashes are out of the request role's reach, a token's requests get their context from
-- the database, and the public concern form is one function with no context at all.

REVOKE ALL ON api_tokens FROM lantern_app;
GRANT SELECT (id, partnership_id, agency_id, name, roles, created_by, created_at, expires_at, last_used_at, revoked_at) ON api_tokens TO lantern_app;
GRANT INSERT (partnership_id, agency_id, name, token_hash, roles, created_by, expires_at) ON api_tokens TO lantern_app;
GRANT UPDATE (revoked_at) ON api_tokens TO lantern_app;

GRANT SELECT ON api_tokens TO lantern_auth;
GRANT UPDATE (last_used_at) ON api_tokens TO lantern_auth;
CREATE POLICY api_tokens_auth ON api_tokens TO lantern_auth USING (true) WITH CHECK (true);

-- lantern_begin_api_token(), which opens a token's context, is in 0115 with the approval it checks.

-- ---- A concern from the public: no account, so no context; this function is the whole path --------

CREATE FUNCTION lantern_raise_public_concern(p_partnership uuid, p_reference text, p_received_at timestamptz, p_what text, p_where text,
  p_when text, p_occurred_on date, p_about text, p_contact text, p_anonymous boolean, p_user_agent text)
RETURNS TABLE (id uuid, reference text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  hours integer;
  created uuid;
BEGIN
  SELECT triage_hours INTO hours FROM partnerships WHERE partnerships.id = p_partnership;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'lantern: unknown partnership' USING ERRCODE = 'foreign_key_violation';
  END IF;
  INSERT INTO concerns (partnership_id, reference, source, received_at, deadline_at, what_happened, where_text, when_text, occurred_on,
    about_text, contact_text, anonymous)
  VALUES (p_partnership, p_reference, 'public', p_received_at, p_received_at + make_interval(hours => hours), p_what, p_where, p_when,
    p_occurred_on, p_about, CASE WHEN p_anonymous THEN NULL ELSE p_contact END, p_anonymous)
  RETURNING concerns.id INTO created;
  -- The reporter's network address is withheld on purpose: people may choose to stay anonymous.
  INSERT INTO audit_events (partnership_id, chain_id, seq, actor_label, action, record_type, record_id, details, client_address, user_agent,
    prev_hash, hash)
  VALUES (p_partnership, p_partnership, 0, 'public', 'concern.raise', 'concern', created::text, '{"source": "public"}'::jsonb, 'withheld',
    left(p_user_agent, 400), '', '');
  RETURN QUERY SELECT created, p_reference;
END
$$;
REVOKE ALL ON FUNCTION lantern_raise_public_concern(uuid, text, timestamptz, text, text, text, date, text, text, boolean, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_raise_public_concern(uuid, text, timestamptz, text, text, text, date, text, text, boolean, text) TO lantern_app;
