-- Chain audit rows at COMMIT instead of at INSERT. Before, the partnership's chain head was locked
-- from the audit insert until the transaction committed, and under load that span included round
-- trips to a busy application: audited pages queued behind each other (docs/PERFORMANCE.md). Now
-- the insert only stamps the row; a deferred constraint trigger takes the chain head lock inside
-- COMMIT, numbers and hashes the transaction's rows in insertion order, and commit releases it.
-- The chain's guarantees are unchanged: one gapless, hash-linked chain per partnership, in commit
-- order, verified by `lantern audit verify`; a row that cannot be chained aborts its transaction.

DROP TRIGGER audit_events_chain ON audit_events;
ALTER TABLE audit_events ALTER COLUMN seq DROP NOT NULL, ALTER COLUMN prev_hash DROP NOT NULL, ALTER COLUMN hash DROP NOT NULL;

-- At insert: the chain and the time; seq, prev_hash and hash stay empty until commit.
CREATE FUNCTION lantern_audit_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.chain_id := coalesce(NEW.partnership_id, '00000000-0000-0000-0000-000000000000'::uuid);
  NEW.occurred_at := date_trunc('microseconds', clock_timestamp());
  NEW.seq := NULL;
  NEW.prev_hash := NULL;
  NEW.hash := NULL;
  RETURN NEW;
END
$$;
CREATE TRIGGER audit_events_stamp BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION lantern_audit_stamp();

-- At commit: chain the row. SECURITY DEFINER: the application role can neither update audit rows
-- nor touch the chain heads.
CREATE FUNCTION lantern_audit_chain_at_commit() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  head audit_chain_heads%ROWTYPE;
  pending audit_events%ROWTYPE;
BEGIN
  INSERT INTO audit_chain_heads (chain_id, seq, hash) VALUES (NEW.chain_id, 0, repeat('0', 64))
    ON CONFLICT (chain_id) DO NOTHING;
  SELECT * INTO head FROM audit_chain_heads WHERE chain_id = NEW.chain_id FOR UPDATE;
  SELECT * INTO pending FROM audit_events WHERE id = NEW.id;
  pending.seq := head.seq + 1;
  pending.prev_hash := head.hash;
  pending.hash := encode(sha256(convert_to(pending.prev_hash || E'\x1e' || lantern_audit_payload(pending), 'UTF8')), 'hex');
  UPDATE audit_events SET seq = pending.seq, prev_hash = pending.prev_hash, hash = pending.hash WHERE id = NEW.id;
  UPDATE audit_chain_heads SET seq = pending.seq, hash = pending.hash WHERE chain_id = NEW.chain_id;
  RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER audit_events_chain_at_commit AFTER INSERT ON audit_events
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION lantern_audit_chain_at_commit();

-- Still append-only for everyone: the one permitted update is the chaining of a pending row, and
-- only from within the chaining trigger (trigger depth > 1).
CREATE OR REPLACE FUNCTION lantern_audit_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND OLD.hash IS NULL AND pg_trigger_depth() > 1
     AND (to_jsonb(NEW) - ARRAY['seq', 'prev_hash', 'hash']) = (to_jsonb(OLD) - ARRAY['seq', 'prev_hash', 'hash']) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
