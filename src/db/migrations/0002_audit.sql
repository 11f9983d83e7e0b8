-- Audit: one hash-chained row per view, search, export, change or disclosure of personal data,
-- and per sign-in attempt. A chain per partnership (the sharding key); system events use the nil uuid.

CREATE TABLE audit_chain_heads (
  chain_id uuid PRIMARY KEY,
  seq bigint NOT NULL,
  hash text NOT NULL
);

CREATE TABLE audit_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  partnership_id uuid REFERENCES partnerships (id),
  chain_id uuid NOT NULL,
  seq bigint NOT NULL,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  actor_user_id uuid,
  actor_label text NOT NULL,
  action text NOT NULL,
  record_type text,
  record_id text,
  reason text,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  client_address text,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  UNIQUE (chain_id, seq)
);
CREATE INDEX audit_events_record_idx ON audit_events (partnership_id, record_type, record_id, occurred_at DESC);
CREATE INDEX audit_events_actor_idx ON audit_events (partnership_id, actor_user_id, occurred_at DESC);
CREATE INDEX audit_events_time_idx ON audit_events (partnership_id, occurred_at DESC);

-- The text that is hashed. src/audit/verify.ts recomputes the hash from it, so keep both in step.
CREATE FUNCTION lantern_audit_payload(e audit_events) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT concat_ws(E'\x1f',
    e.chain_id::text, e.seq::text,
    to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    coalesce(e.actor_user_id::text, ''), e.actor_label, e.action,
    coalesce(e.record_type, ''), coalesce(e.record_id, ''), coalesce(e.reason, ''),
    e.details::text, coalesce(e.client_address, ''))
$$;

-- Chains each new row to the previous one. SECURITY DEFINER so that the application role
-- can append without being able to touch the chain heads directly.
CREATE FUNCTION lantern_audit_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  head audit_chain_heads%ROWTYPE;
BEGIN
  NEW.chain_id := coalesce(NEW.partnership_id, '00000000-0000-0000-0000-000000000000'::uuid);
  NEW.occurred_at := date_trunc('microseconds', clock_timestamp());
  INSERT INTO audit_chain_heads (chain_id, seq, hash) VALUES (NEW.chain_id, 0, repeat('0', 64))
    ON CONFLICT (chain_id) DO NOTHING;
  SELECT * INTO head FROM audit_chain_heads WHERE chain_id = NEW.chain_id FOR UPDATE;
  NEW.seq := head.seq + 1;
  NEW.prev_hash := head.hash;
  NEW.hash := 'pending';
  NEW.hash := encode(sha256(convert_to(NEW.prev_hash || E'\x1e' || lantern_audit_payload(NEW), 'UTF8')), 'hex');
  UPDATE audit_chain_heads SET seq = NEW.seq, hash = NEW.hash WHERE chain_id = NEW.chain_id;
  RETURN NEW;
END
$$;
CREATE TRIGGER audit_events_chain BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION lantern_audit_chain();

-- The audit trail is append-only for everyone, owners included.
CREATE FUNCTION lantern_audit_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION lantern_audit_immutable();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION lantern_audit_immutable();
