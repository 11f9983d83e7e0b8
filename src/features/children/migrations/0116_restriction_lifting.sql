-- Lifting a restriction (security review H2). A co-ordinator who had broken glass on a restricted
-- child could save the edit form without "restricted" and open the record to everyone, with no
-- alert. Now a restriction is lifted only through lantern_lift_restriction(), which allows the
-- owning agency's case workers (not under a break-glass grant) or the partnership's data protection
-- officer, needs a reason, records the change for the DPO's alerts, and is audited. The table's
-- trigger refuses the change from anywhere else.

-- Each restriction lifted, with why and by whom: the DPO sees and acknowledges them beside break-glass.
CREATE TABLE restriction_changes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  child_id uuid NOT NULL,
  -- The reference, so the DPO's list names the record without the DPO being able to open it.
  child_reference text NOT NULL,
  change text NOT NULL CHECK (change = 'lifted'),
  reason text NOT NULL CHECK (length(reason) BETWEEN 5 AND 2000),
  changed_by uuid NOT NULL REFERENCES users (id),
  changed_at timestamptz NOT NULL DEFAULT now(),
  acknowledged_at timestamptz,
  acknowledged_by uuid REFERENCES users (id),
  FOREIGN KEY (partnership_id, child_id) REFERENCES children (partnership_id, id)
);
CREATE INDEX restriction_changes_partnership_idx ON restriction_changes (partnership_id, changed_at DESC);
-- Written only by lantern_lift_restriction(); the DPO reads and acknowledges.
SELECT lantern_rls_table('restriction_changes', 'SELECT, UPDATE (acknowledged_at, acknowledged_by)');
CREATE POLICY restriction_changes_partnership ON restriction_changes
  USING (partnership_id = lantern_partnership() AND lantern_actor_roles() @> ARRAY['dpo']::text[]);

-- The case workers of the owning agency who may lift a restriction it placed.
CREATE FUNCTION lantern_may_lift_restriction(p_owning_agency uuid, p_child uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT lantern_actor_kind() = 'session'
     AND (lantern_actor_roles() @> ARRAY['dpo']::text[]
          OR (p_owning_agency = lantern_agency()
              AND lantern_actor_roles() && ARRAY['practitioner', 'coordinator', 'triage_worker']::text[]
              -- never under break-glass: a grant lets someone read, not change who may read
              AND NOT EXISTS (SELECT 1 FROM break_glass_grants g WHERE g.child_id = p_child AND g.user_id = lantern_user() AND g.expires_at > now())))
$$;
REVOKE ALL ON FUNCTION lantern_may_lift_restriction(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_may_lift_restriction(uuid, uuid) TO lantern_app;

CREATE FUNCTION lantern_lift_restriction(p_child uuid, p_reason text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  c record;
BEGIN
  SELECT id, partnership_id, owning_agency_id, restricted, reference INTO c FROM children
   WHERE id = p_child AND partnership_id = lantern_partnership() FOR UPDATE;
  IF NOT FOUND OR NOT c.restricted OR NOT lantern_may_lift_restriction(c.owning_agency_id, c.id) THEN
    RAISE EXCEPTION 'lantern: you may not lift this restriction' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF p_reason IS NULL OR length(trim(p_reason)) < 5 THEN
    RAISE EXCEPTION 'lantern: lifting a restriction needs a reason' USING ERRCODE = 'check_violation';
  END IF;
  INSERT INTO restriction_changes (partnership_id, child_id, child_reference, change, reason, changed_by)
  VALUES (c.partnership_id, c.id, c.reference, 'lifted', trim(p_reason), lantern_user());
  UPDATE children SET restricted = false, restricted_reason = NULL, updated_at = now() WHERE id = c.id;
  PERFORM lantern_audit('record.unrestrict', 'child', c.id::text, trim(p_reason), '{}'::jsonb, NULL, NULL, NULL);
END
$$;
REVOKE ALL ON FUNCTION lantern_lift_restriction(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_lift_restriction(uuid, text) TO lantern_app;

-- The database's own refusal: a restriction ends only with its recorded change, in this transaction,
-- by this person. The owner (command line, seed) has no context and is not a request.
CREATE FUNCTION lantern_restriction_guard() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF OLD.restricted AND NOT NEW.restricted AND lantern_actor_kind() IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM restriction_changes r WHERE r.child_id = OLD.id AND r.changed_by = lantern_user() AND r.changed_at = now()) THEN
    RAISE EXCEPTION 'lantern: a restriction is lifted only with a reason, by the owning agency or the data protection officer'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER children_restriction_guard BEFORE UPDATE OF restricted ON children FOR EACH ROW EXECUTE FUNCTION lantern_restriction_guard();

-- The DPO's list of restricted records: references and owning agencies only, never names.
CREATE FUNCTION lantern_restricted_children()
RETURNS TABLE (id uuid, reference text, owning_agency text, restricted_reason text, updated_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT c.id, c.reference, a.name, c.restricted_reason, c.updated_at
    FROM children c JOIN agencies a ON a.id = c.owning_agency_id
   WHERE c.partnership_id = lantern_partnership() AND c.restricted AND lantern_actor_roles() @> ARRAY['dpo']::text[]
   ORDER BY c.reference
$$;
REVOKE ALL ON FUNCTION lantern_restricted_children() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_restricted_children() TO lantern_app;
