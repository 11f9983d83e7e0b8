-- Intelligence across boundaries (issue 12 §6): a person of concern or a location flagged to a
-- neighbouring partnership under a live sharing agreement (sharing_agreements, migration 0001: the
-- same agreements children are shared under, owned by the sharing partnership).
--
-- While the share stands (not withdrawn, its agreement live: started, not ended) the neighbour's
-- intelligence roles (co-ordinator, analyst) read:
--  * the shared person or location itself;
--  * the sharing partnership's links between two records the neighbour may see: a link is disclosed
--    only when BOTH its ends are either an entity shared with the neighbour (live) or a child the
--    sharing partnership shares with the neighbour under the children's rules (lantern_shared_children,
--    migrations 0100/0117, which also narrow by the receiving agencies). So a link from a shared person
--    to an unshared vehicle, location or child is never shown, nor is the other end: a child of the
--    sharing partnership is revealed only when the child itself is shared.
-- The sharing partnership's graded reports (migration 0301) are never disclosed by an intelligence share.
--
-- The neighbour adds its own intelligence: links and report links of ITS partnership from its own
-- children and entities to the shared entity (the link-end triggers below accept an end shared with the
-- link's partnership). Those rows are the neighbour's own and stay with it: the sharing partnership does
-- not read them (it may be shared the other way under the neighbour's own agreement). When the share ends
-- the neighbour keeps its own rows but reads nothing of the shared entity: the other end of its links is
-- shown as a record it cannot see.
--
-- Shares are made and withdrawn by the sharing partnership's intelligence roles; rows are never deleted.

CREATE TABLE intel_shares (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- The partnership that owns the entity and shares it.
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  shared_with_partnership_id uuid NOT NULL REFERENCES partnerships (id),
  entity_kind text NOT NULL CHECK (entity_kind IN ('person', 'location')),
  entity_id uuid NOT NULL,
  agreement_id uuid NOT NULL REFERENCES sharing_agreements (id),
  reason text NOT NULL CHECK (btrim(reason) <> ''),
  shared_by uuid REFERENCES users (id),
  shared_by_name text,
  shared_at timestamptz NOT NULL DEFAULT now(),
  withdrawn_at timestamptz,
  withdrawn_by uuid REFERENCES users (id),
  withdrawn_by_name text,
  CHECK (shared_with_partnership_id <> partnership_id)
);
-- One standing share of an entity with a partnership.
CREATE UNIQUE INDEX intel_shares_standing_idx ON intel_shares (entity_id, shared_with_partnership_id) WHERE withdrawn_at IS NULL;
CREATE INDEX intel_shares_recipient_idx ON intel_shares (shared_with_partnership_id) WHERE withdrawn_at IS NULL;
CREATE INDEX intel_shares_owner_idx ON intel_shares (partnership_id, shared_at DESC);

-- A share names an entity of its own partnership and an agreement that partnership owns with the
-- partnership shared with. Run as the writer: row-level security already limits what it sees.
CREATE FUNCTION lantern_intel_share_valid() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  found_entity boolean;
BEGIN
  found_entity := CASE NEW.entity_kind
    WHEN 'person' THEN EXISTS (SELECT 1 FROM persons_of_concern WHERE id = NEW.entity_id AND partnership_id = NEW.partnership_id)
    WHEN 'location' THEN EXISTS (SELECT 1 FROM intel_locations WHERE id = NEW.entity_id AND partnership_id = NEW.partnership_id)
  END;
  IF NOT found_entity THEN
    RAISE EXCEPTION 'lantern: the % % shared is not a record of the sharing partnership', NEW.entity_kind, NEW.entity_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM sharing_agreements a WHERE a.id = NEW.agreement_id AND a.partnership_id = NEW.partnership_id
                   AND a.recipient_partnership_id = NEW.shared_with_partnership_id) THEN
    RAISE EXCEPTION 'lantern: an intelligence share is made under an agreement of the sharing partnership with the one shared with' USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;
-- On insert only: lantern_app may update nothing but the withdrawal's columns (the grant below).
CREATE CONSTRAINT TRIGGER intel_shares_valid AFTER INSERT ON intel_shares FOR EACH ROW EXECUTE FUNCTION lantern_intel_share_valid();

-- The entities shared with the acting partnership now (not withdrawn, agreement live), and only for its
-- intelligence roles. SECURITY DEFINER: the shares and the entities are the sharing partnership's rows,
-- whose policies the neighbour cannot pass (as lantern_shared_children, 0100). PL/pgSQL keeps the plan.
CREATE FUNCTION lantern_intel_shared_entities() RETURNS TABLE (kind text, id uuid)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
DECLARE
  acting uuid := lantern_partnership();
BEGIN
  IF acting IS NULL OR NOT coalesce(lantern_actor_roles() && ARRAY['coordinator', 'analyst']::text[], false) THEN
    RETURN;
  END IF;
  RETURN QUERY
  SELECT s.entity_kind, s.entity_id FROM intel_shares s JOIN sharing_agreements a ON a.id = s.agreement_id
  WHERE s.shared_with_partnership_id = acting AND s.withdrawn_at IS NULL
    AND a.partnership_id = s.partnership_id AND a.recipient_partnership_id = acting
    AND a.starts_on <= current_date AND (a.ends_on IS NULL OR a.ends_on >= current_date);
END
$$;
REVOKE ALL ON FUNCTION lantern_intel_shared_entities() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_intel_shared_entities() TO lantern_app;

-- The ends a sharing partnership's link may have to be shown to the acting partnership: shared entities
-- and the children shared with it under the children's rules.
CREATE FUNCTION lantern_intel_visible_shared_ends() RETURNS TABLE (kind text, id uuid)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM lantern_intel_shared_entities()) THEN
    RETURN;
  END IF;
  RETURN QUERY SELECT s.kind, s.id FROM lantern_intel_shared_entities() s
    UNION ALL SELECT 'child'::text, c FROM lantern_shared_children() c;
END
$$;
REVOKE ALL ON FUNCTION lantern_intel_visible_shared_ends() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_intel_visible_shared_ends() TO lantern_app;

-- Row-level security of the shares: the sharing partnership's intelligence roles read, make and withdraw
-- them (withdrawing only: the columns of a withdrawal); the neighbour's read the live ones made with it.
SELECT lantern_rls_table('intel_shares', 'SELECT, INSERT, UPDATE (withdrawn_at, withdrawn_by, withdrawn_by_name)');
SELECT lantern_standard_policy('intel_shares', '_owner',
  'partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_actor_roles()) && ARRAY[''coordinator'', ''analyst'']::text[]');
CREATE POLICY intel_shares_recipient ON intel_shares FOR SELECT
  USING (shared_with_partnership_id = (SELECT lantern_partnership()) AND (entity_kind, entity_id) IN (SELECT s.kind, s.id FROM lantern_intel_shared_entities() s));

-- The shared entities, and the sharing partnership's links between ends the neighbour sees (at least
-- one of them an entity, not two children). Added beside 0300's policies (permissive: either admits).
CREATE POLICY persons_of_concern_shared ON persons_of_concern FOR SELECT
  USING (id IN (SELECT s.id FROM lantern_intel_shared_entities() s WHERE s.kind = 'person'));
CREATE POLICY intel_locations_shared ON intel_locations FOR SELECT
  USING (id IN (SELECT s.id FROM lantern_intel_shared_entities() s WHERE s.kind = 'location'));
CREATE POLICY intel_links_shared ON intel_links FOR SELECT
  USING ((from_kind <> 'child' OR to_kind <> 'child')
         AND (from_kind, from_id) IN (SELECT e.kind, e.id FROM lantern_intel_visible_shared_ends() e)
         AND (to_kind, to_id) IN (SELECT e.kind, e.id FROM lantern_intel_visible_shared_ends() e));

-- Whether an entity is shared with a partnership now. Run as the writer (SECURITY INVOKER): a request of
-- the neighbour reads only the live shares made with it (intel_shares_recipient), so it can link only
-- to what it is shown; the seeder, as the owner, reads them all.
CREATE FUNCTION lantern_intel_shared_with(p_kind text, p_id uuid, p_partnership uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM intel_shares s JOIN sharing_agreements a ON a.id = s.agreement_id
                  WHERE s.entity_kind = p_kind AND s.entity_id = p_id AND s.shared_with_partnership_id = p_partnership
                    AND s.withdrawn_at IS NULL AND a.recipient_partnership_id = p_partnership
                    AND a.starts_on <= current_date AND (a.ends_on IS NULL OR a.ends_on >= current_date))
$$;

-- A link's ends are rows of its own partnership, or a person or location shared with that partnership
-- now (the neighbour linking its own records to the shared one). Same checks as 0300 otherwise.
CREATE OR REPLACE FUNCTION lantern_intel_link_ends() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  e record;
  found_end boolean;
BEGIN
  FOR e IN SELECT * FROM (VALUES (NEW.from_kind, NEW.from_id), (NEW.to_kind, NEW.to_id)) v (kind, id) LOOP
    found_end := CASE e.kind
      WHEN 'child' THEN EXISTS (SELECT 1 FROM children WHERE id = e.id AND partnership_id = NEW.partnership_id)
      WHEN 'person' THEN EXISTS (SELECT 1 FROM persons_of_concern WHERE id = e.id AND partnership_id = NEW.partnership_id)
      WHEN 'location' THEN EXISTS (SELECT 1 FROM intel_locations WHERE id = e.id AND partnership_id = NEW.partnership_id)
      WHEN 'object' THEN EXISTS (SELECT 1 FROM intel_objects WHERE id = e.id AND partnership_id = NEW.partnership_id)
    END;
    IF NOT found_end AND e.kind IN ('person', 'location') THEN
      found_end := lantern_intel_shared_with(e.kind, e.id, NEW.partnership_id);
    END IF;
    IF NOT found_end THEN
      RAISE EXCEPTION 'lantern: the % % of a link is not a record of its partnership', e.kind, e.id USING ERRCODE = 'foreign_key_violation';
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;

-- A report's linked entity likewise (0301): the neighbour's own report about the shared person or place.
CREATE OR REPLACE FUNCTION lantern_intel_report_link_end() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  found_end boolean;
BEGIN
  found_end := CASE NEW.entity_kind
    WHEN 'child' THEN EXISTS (SELECT 1 FROM children WHERE id = NEW.entity_id AND partnership_id = NEW.partnership_id)
    WHEN 'person' THEN EXISTS (SELECT 1 FROM persons_of_concern WHERE id = NEW.entity_id AND partnership_id = NEW.partnership_id)
    WHEN 'location' THEN EXISTS (SELECT 1 FROM intel_locations WHERE id = NEW.entity_id AND partnership_id = NEW.partnership_id)
    WHEN 'object' THEN EXISTS (SELECT 1 FROM intel_objects WHERE id = NEW.entity_id AND partnership_id = NEW.partnership_id)
  END;
  IF NOT found_end AND NEW.entity_kind IN ('person', 'location') THEN
    found_end := lantern_intel_shared_with(NEW.entity_kind, NEW.entity_id, NEW.partnership_id);
  END IF;
  IF NOT found_end THEN
    RAISE EXCEPTION 'lantern: the % % of a report link is not a record of its partnership', NEW.entity_kind, NEW.entity_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;
