-- Who manages a child's shares (security review L2). An agency that only received a share could
-- share the record on and stop the owner's shares, and a share with a neighbouring partnership was
-- readable by every agency-scoped person there.
--  * Shares are made and stopped only by the owning agency's case workers (practitioner, co-ordinator,
--    triage worker) and by the partnership-wide roles that act for the whole partnership (triage
--    worker, co-ordinator), never by an agency the record was only shared with.
--  * A share with a neighbouring partnership names the agencies there that receive it; their
--    agency-scoped people read it, with that partnership's partnership-wide roles. Shares made
--    before this name none, so only those partnership-wide roles keep reading them.

CREATE FUNCTION lantern_may_manage_shares(p_child uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT EXISTS (
    SELECT 1 FROM children c
     WHERE c.id = p_child AND c.partnership_id = lantern_partnership()
       AND lantern_actor_kind() IN ('session', 'trusted')
       AND ((c.owning_agency_id = lantern_agency() AND lantern_actor_roles() && ARRAY['practitioner', 'coordinator', 'triage_worker']::text[])
            OR (lantern_scope() = 'partnership' AND lantern_actor_roles() && ARRAY['coordinator', 'triage_worker']::text[])))
$$;
REVOKE ALL ON FUNCTION lantern_may_manage_shares(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_may_manage_shares(uuid) TO lantern_app;

CREATE POLICY record_shares_manage_insert ON record_shares AS RESTRICTIVE FOR INSERT TO lantern_app
  WITH CHECK (record_type = 'child' AND lantern_may_manage_shares(record_id));
CREATE POLICY record_shares_manage_update ON record_shares AS RESTRICTIVE FOR UPDATE TO lantern_app
  USING (record_type = 'child' AND lantern_may_manage_shares(record_id));
CREATE POLICY child_partnership_shares_manage_insert ON child_partnership_shares AS RESTRICTIVE FOR INSERT TO lantern_app
  WITH CHECK (lantern_may_manage_shares(child_id));
CREATE POLICY child_partnership_shares_manage_update ON child_partnership_shares AS RESTRICTIVE FOR UPDATE TO lantern_app
  USING (lantern_may_manage_shares(child_id));

ALTER TABLE child_partnership_shares ADD COLUMN recipient_agency_ids uuid[] NOT NULL DEFAULT '{}';

-- The receiving partnership's agencies for an agreement the acting partnership owns: row-level
-- security hides them from the sharing side otherwise. Names and ids only.
CREATE FUNCTION lantern_agreement_agencies(p_agreement uuid) RETURNS TABLE (id uuid, name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT ag.id, ag.name FROM sharing_agreements a JOIN agencies ag ON ag.partnership_id = a.recipient_partnership_id
   WHERE a.id = p_agreement AND a.partnership_id = lantern_partnership()
   ORDER BY ag.name
$$;
REVOKE ALL ON FUNCTION lantern_agreement_agencies(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_agreement_agencies(uuid) TO lantern_app;

-- A share names agencies of its recipient partnership only.
CREATE FUNCTION lantern_partnership_share_agencies() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM unnest(NEW.recipient_agency_ids) AS r (agency)
             WHERE NOT EXISTS (SELECT 1 FROM agencies ag WHERE ag.id = r.agency AND ag.partnership_id = NEW.recipient_partnership_id)) THEN
    RAISE EXCEPTION 'lantern: a share names agencies of the receiving partnership only' USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER child_partnership_shares_agencies BEFORE INSERT OR UPDATE OF recipient_agency_ids ON child_partnership_shares
  FOR EACH ROW EXECUTE FUNCTION lantern_partnership_share_agencies();

-- Children shared with the acting partnership: its partnership-wide roles read every share, its
-- agency-scoped people only the shares that name their agency.
CREATE OR REPLACE FUNCTION lantern_shared_children() RETURNS SETOF uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
DECLARE
  acting uuid := lantern_partnership();
  agency uuid := lantern_agency();
  wide boolean := lantern_scope() = 'partnership';
BEGIN
  RETURN QUERY
  SELECT s.child_id FROM child_partnership_shares s JOIN sharing_agreements a ON a.id = s.agreement_id
  WHERE s.recipient_partnership_id = acting AND s.revoked_at IS NULL
    AND a.recipient_partnership_id = s.recipient_partnership_id
    AND a.starts_on <= current_date AND (a.ends_on IS NULL OR a.ends_on >= current_date)
    AND (wide OR agency = ANY (s.recipient_agency_ids));
END
$$;
