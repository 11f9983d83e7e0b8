-- Anchoring the audit chains outside the database (src/audit/anchor.ts). Someone with the owner's
-- rights can rewrite a chain consistently (edit a row, recompute every later hash and the head), and
-- the chain alone cannot show it. So the server periodically signs every chain's head with a key the
-- database never holds and appends it to a file outside the database; `lantern audit verify` checks
-- the rows at every anchored position still carry the anchored hash.
--
-- These two functions are all the anchoring needs, so it runs as lantern_app with no grant on the
-- audit tables. They disclose hashes and row counts per chain, never the content of a row.

-- Every chain's head: its last seq and that row's hash.
CREATE FUNCTION lantern_audit_heads() RETURNS TABLE (chain_id uuid, seq bigint, hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT h.chain_id, h.seq, h.hash FROM audit_chain_heads h WHERE h.seq > 0 ORDER BY h.chain_id
$$;
REVOKE ALL ON FUNCTION lantern_audit_heads() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_audit_heads() TO lantern_app;

-- The stored hash of the row at (chain, seq), or NULL when there is no such row.
CREATE FUNCTION lantern_audit_hash_at(p_chain uuid, p_seq bigint) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT e.hash FROM audit_events e WHERE e.chain_id = p_chain AND e.seq = p_seq
$$;
REVOKE ALL ON FUNCTION lantern_audit_hash_at(uuid, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_audit_hash_at(uuid, bigint) TO lantern_app;
