-- Who reported a concern through the public form, and how they heard of the form (issue 10, section 5).
-- Both are optional: a reporter need not say. "How they heard" is one of the partnership's awareness
-- campaigns (the link to campaigns is migration 0252, after the campaigns table) or somewhere else,
-- so that the strategy half can count the reports each campaign brought in.

ALTER TABLE concerns
  ADD COLUMN reporter_kind text CHECK (reporter_kind IN ('public', 'parent_carer', 'taxi_driver', 'hotel_takeaway', 'school_staff', 'young_person', 'other')),
  ADD COLUMN heard_via text CHECK (heard_via IN ('campaign', 'other')),
  ADD COLUMN heard_via_campaign_id uuid,
  ADD CONSTRAINT concerns_heard_via_campaign CHECK ((heard_via IS NOT DISTINCT FROM 'campaign') = (heard_via_campaign_id IS NOT NULL));

-- The public path takes the two answers; the old signature goes so that nothing can raise a concern without them.
DROP FUNCTION lantern_raise_public_concern(uuid, text, timestamptz, text, text, text, date, text, text, boolean, text);

CREATE FUNCTION lantern_raise_public_concern(p_partnership uuid, p_reference text, p_received_at timestamptz, p_what text, p_where text,
  p_when text, p_occurred_on date, p_about text, p_contact text, p_anonymous boolean, p_user_agent text,
  p_reporter_kind text, p_heard_via text, p_heard_via_campaign uuid)
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
    about_text, contact_text, anonymous, reporter_kind, heard_via, heard_via_campaign_id)
  VALUES (p_partnership, p_reference, 'public', p_received_at, p_received_at + make_interval(hours => hours), p_what, p_where, p_when,
    p_occurred_on, p_about, CASE WHEN p_anonymous THEN NULL ELSE p_contact END, p_anonymous, p_reporter_kind, p_heard_via, p_heard_via_campaign)
  RETURNING concerns.id INTO created;
  -- The reporter's network address is withheld on purpose: people may choose to stay anonymous.
  INSERT INTO audit_events (partnership_id, chain_id, seq, actor_label, action, record_type, record_id, details, client_address, user_agent,
    prev_hash, hash)
  VALUES (p_partnership, p_partnership, 0, 'public', 'concern.raise', 'concern', created::text, '{"source": "public"}'::jsonb, 'withheld',
    left(p_user_agent, 400), '', '');
  RETURN QUERY SELECT created, p_reference;
END
$$;
REVOKE ALL ON FUNCTION lantern_raise_public_concern(uuid, text, timestamptz, text, text, text, date, text, text, boolean, text, text, text, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_raise_public_concern(uuid, text, timestamptz, text, text, text, date, text, text, boolean, text, text, text, uuid) TO lantern_app;
