-- Asking a neighbouring partnership "do you hold this child?" without either side seeing the other's
-- identities (issue 14 §3; docs/LINKAGE.md, "Across partnerships without revealing identities").
--
-- Under a sharing agreement the sharing side (sharing_agreements.partnership_id, the asker) asks the
-- recipient side (the holder). The agreement has one random 32-byte key, sealed by the application
-- with LANTERN_SECRETS_KEY (which the database never holds); the holder's open children are encoded
-- under it (cryptographic long-term keys: keyed Bloom filters, no plaintext) into linkage_encodings;
-- lantern_linkage_compare returns only the best Dice coefficient and how many encodings reach a
-- threshold, never an id, a name or a date. Neither table is readable by a request: lantern_app has
-- no privilege on them and their row-level security lets nothing through. Only the functions below
-- (SECURITY DEFINER) reach them, each after checking that the acting context is a person who may
-- manage shares in the asking partnership under a live agreement.

CREATE TABLE linkage_agreement_keys (
  agreement_id uuid PRIMARY KEY REFERENCES sharing_agreements (id),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),            -- the asking (sharing) side
  recipient_partnership_id uuid NOT NULL REFERENCES partnerships (id),  -- the holding side
  sealed_key text NOT NULL CHECK (sealed_key LIKE 'v1.%'),              -- AES-256-GCM under LANTERN_SECRETS_KEY (src/auth/secrets.ts)
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE linkage_encodings (
  partnership_id uuid NOT NULL REFERENCES partnerships (id),  -- the HOLDER of the child
  agreement_id uuid NOT NULL REFERENCES sharing_agreements (id),
  child_id uuid NOT NULL REFERENCES children (id),
  clk bytea NOT NULL,                                         -- the keyed Bloom filter's bits; no plaintext
  source_updated_at timestamptz NOT NULL,                     -- children.updated_at when encoded: stale when it differs
  PRIMARY KEY (agreement_id, child_id)
);

ALTER TABLE linkage_agreement_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE linkage_agreement_keys FORCE ROW LEVEL SECURITY;
ALTER TABLE linkage_encodings ENABLE ROW LEVEL SECURITY;
ALTER TABLE linkage_encodings FORCE ROW LEVEL SECURITY;
-- Nothing for a request: no grant, and policies that admit no row (the functions run as the owner).
CREATE POLICY linkage_agreement_keys_none ON linkage_agreement_keys USING (false);
CREATE POLICY linkage_encodings_none ON linkage_encodings USING (false);
REVOKE ALL ON linkage_agreement_keys, linkage_encodings FROM PUBLIC;

-- The questions asked, in the asking partnership: the page the asker is sent to after asking (PRG),
-- and its record. No identity of the neighbour's: the strength band and the rounded Dice only.
CREATE TABLE linkage_asks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  child_id uuid NOT NULL REFERENCES children (id),
  agreement_id uuid NOT NULL REFERENCES sharing_agreements (id),
  strength text NOT NULL CHECK (strength IN ('strong', 'possible', 'none')),
  dice numeric(4, 2) NOT NULL CHECK (dice >= 0 AND dice <= 1),
  above_threshold integer NOT NULL CHECK (above_threshold >= 0),
  asked_by uuid REFERENCES users (id),
  asked_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX linkage_asks_child_idx ON linkage_asks (child_id, asked_at);
ALTER TABLE linkage_asks ENABLE ROW LEVEL SECURITY;
ALTER TABLE linkage_asks FORCE ROW LEVEL SECURITY;
CREATE POLICY linkage_asks_partnership ON linkage_asks
  USING (partnership_id = lantern_partnership() AND lantern_may_manage_shares(child_id))
  WITH CHECK (partnership_id = lantern_partnership() AND lantern_may_manage_shares(child_id));
GRANT SELECT, INSERT ON linkage_asks TO lantern_app;

-- The agreement, when the acting context may ask under it: live, the acting partnership its sharing
-- side, a person (session or trusted context) with a case-work role. NULL otherwise.
CREATE FUNCTION lantern_linkage_agreement(p_agreement uuid) RETURNS sharing_agreements
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT a.* FROM sharing_agreements a
   WHERE a.id = p_agreement AND a.partnership_id = lantern_partnership()
     AND a.starts_on <= current_date AND (a.ends_on IS NULL OR a.ends_on >= current_date)
     AND lantern_actor_kind() IN ('session', 'trusted')
     AND lantern_actor_roles() && ARRAY['practitioner', 'coordinator', 'triage_worker']::text[]
$$;
REVOKE ALL ON FUNCTION lantern_linkage_agreement(uuid) FROM PUBLIC;

-- The agreement's sealed key (opened only by the application, which holds LANTERN_SECRETS_KEY), or NULL.
CREATE FUNCTION lantern_linkage_key(p_agreement uuid) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF (lantern_linkage_agreement(p_agreement)).id IS NULL THEN
    RAISE EXCEPTION 'lantern: no agreement to ask under' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN (SELECT k.sealed_key FROM linkage_agreement_keys k WHERE k.agreement_id = p_agreement);
END
$$;

-- Stores the agreement's first key; returns the key that is stored (a concurrent first ask converges on one).
CREATE FUNCTION lantern_linkage_store_key(p_agreement uuid, p_sealed text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  a sharing_agreements;
BEGIN
  a := lantern_linkage_agreement(p_agreement);
  IF a.id IS NULL THEN
    RAISE EXCEPTION 'lantern: no agreement to ask under' USING ERRCODE = 'insufficient_privilege';
  END IF;
  INSERT INTO linkage_agreement_keys (agreement_id, partnership_id, recipient_partnership_id, sealed_key)
  VALUES (a.id, a.partnership_id, a.recipient_partnership_id, p_sealed)
  ON CONFLICT (agreement_id) DO NOTHING;
  RETURN (SELECT k.sealed_key FROM linkage_agreement_keys k WHERE k.agreement_id = p_agreement);
END
$$;

-- The holder's side, in the holder's stead (the trusted service path, docs/LINKAGE.md): drops the
-- encodings of children no longer open (closed, merged, restricted), and returns the open children
-- whose encoding is missing or older than the record, with only the fields the encoding reads. The
-- application encodes them and hands the filters back (lantern_linkage_store); it shows none of this.
CREATE FUNCTION lantern_linkage_stale(p_agreement uuid)
RETURNS TABLE (child_id uuid, given_name text, family_name text, date_of_birth date, updated_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  a sharing_agreements;
BEGIN
  a := lantern_linkage_agreement(p_agreement);
  IF a.id IS NULL THEN
    RAISE EXCEPTION 'lantern: no agreement to ask under' USING ERRCODE = 'insufficient_privilege';
  END IF;
  DELETE FROM linkage_encodings e
   WHERE e.agreement_id = a.id
     AND NOT EXISTS (SELECT 1 FROM children c WHERE c.id = e.child_id AND c.partnership_id = a.recipient_partnership_id
                        AND c.status = 'open' AND c.merged_into_id IS NULL AND NOT c.restricted);
  RETURN QUERY
    SELECT c.id, c.given_name, c.family_name, c.date_of_birth, c.updated_at
      FROM children c
      LEFT JOIN linkage_encodings e ON e.agreement_id = a.id AND e.child_id = c.id
     WHERE c.partnership_id = a.recipient_partnership_id AND c.status = 'open' AND c.merged_into_id IS NULL AND NOT c.restricted
       AND (e.child_id IS NULL OR e.source_updated_at IS DISTINCT FROM c.updated_at);
END
$$;

-- Stores the holder's encodings the application computed from lantern_linkage_stale.
CREATE FUNCTION lantern_linkage_store(p_agreement uuid, p_children uuid[], p_clks bytea[], p_updated timestamptz[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  a sharing_agreements;
  n integer;
BEGIN
  a := lantern_linkage_agreement(p_agreement);
  IF a.id IS NULL THEN
    RAISE EXCEPTION 'lantern: no agreement to ask under' USING ERRCODE = 'insufficient_privilege';
  END IF;
  INSERT INTO linkage_encodings (partnership_id, agreement_id, child_id, clk, source_updated_at)
  SELECT a.recipient_partnership_id, a.id, x.child_id, x.clk, x.updated
    FROM unnest(p_children, p_clks, p_updated) AS x (child_id, clk, updated)
    JOIN children c ON c.id = x.child_id AND c.partnership_id = a.recipient_partnership_id
  ON CONFLICT (agreement_id, child_id) DO UPDATE SET clk = excluded.clk, source_updated_at = excluded.source_updated_at;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;

-- The question: the asker's encoding of one of its own children (whose shares the actor manages)
-- against the holder's encodings. Returns only the best Dice coefficient and how many reach
-- p_threshold; writes the holder's audit row (which agreement, the asking partnership, the best Dice;
-- not the asker's child nor who asked: that is in the asker's own audit row). Dice = 2|A ∩ B| / (|A| + |B|), with bit_count over the filters as bit strings.
CREATE FUNCTION lantern_linkage_compare(p_agreement uuid, p_child uuid, p_clk bytea, p_threshold real)
RETURNS TABLE (best real, above integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  a sharing_agreements;
  q bit varying;
  q_ones integer;
  v_best real;
  v_above integer;
BEGIN
  a := lantern_linkage_agreement(p_agreement);
  IF a.id IS NULL OR NOT lantern_may_manage_shares(p_child) THEN
    RAISE EXCEPTION 'lantern: no question to ask' USING ERRCODE = 'insufficient_privilege';
  END IF;
  q := ('x' || encode(p_clk, 'hex'))::bit varying;
  q_ones := bit_count(q);
  SELECT coalesce(max(d), 0), count(*) FILTER (WHERE d >= p_threshold)
    INTO v_best, v_above
    FROM (SELECT CASE WHEN q_ones + bit_count(f) = 0 THEN 0
                      ELSE 2.0 * bit_count(q & f) / (q_ones + bit_count(f)) END AS d
            FROM (SELECT ('x' || encode(e.clk, 'hex'))::bit varying AS f
                    FROM linkage_encodings e
                   WHERE e.agreement_id = a.id AND octet_length(e.clk) = octet_length(p_clk)) s) t;
  INSERT INTO audit_events (partnership_id, chain_id, seq, actor_user_id, actor_label, action, record_type, record_id, details,
    client_address, user_agent, prev_hash, hash)
  VALUES (a.recipient_partnership_id, a.recipient_partnership_id, 0, NULL, 'A neighbouring partnership', 'linkage.asked', 'sharing_agreement', a.id::text,
          jsonb_build_object('askingPartnership', a.partnership_id, 'dice', round(v_best::numeric, 2), 'aboveThreshold', v_above),
          NULL, NULL, '', '');
  RETURN QUERY SELECT v_best, v_above;
END
$$;

REVOKE ALL ON FUNCTION lantern_linkage_key(uuid), lantern_linkage_store_key(uuid, text), lantern_linkage_stale(uuid),
  lantern_linkage_store(uuid, uuid[], bytea[], timestamptz[]), lantern_linkage_compare(uuid, uuid, bytea, real) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_linkage_key(uuid), lantern_linkage_store_key(uuid, text), lantern_linkage_stale(uuid),
  lantern_linkage_store(uuid, uuid[], bytea[], timestamptz[]), lantern_linkage_compare(uuid, uuid, bytea, real) TO lantern_app;
