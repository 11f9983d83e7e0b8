-- The audit trail names records by their references (NM-1004, SC0000123), not internal ids. Row-level
-- security hides restricted children even from the data protection officer, who reads the trail; these
-- functions give audit readers the reference alone (never a name), and find a record by its reference
-- for the trail's filter. Only for those who read the audit trail (dpo, system_admin).
CREATE FUNCTION lantern_audit_record_references(p_ids uuid[])
RETURNS TABLE (id uuid, reference text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT c.id, c.reference FROM children c
   WHERE c.partnership_id = lantern_partnership() AND c.id = ANY (p_ids)
     AND lantern_actor_roles() && ARRAY['dpo', 'system_admin']::text[]
  UNION ALL
  SELECT k.id, k.reference FROM concerns k
   WHERE k.partnership_id = lantern_partnership() AND k.id = ANY (p_ids)
     AND lantern_actor_roles() && ARRAY['dpo', 'system_admin']::text[]
$$;
REVOKE ALL ON FUNCTION lantern_audit_record_references(uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_audit_record_references(uuid[]) TO lantern_app;

CREATE FUNCTION lantern_audit_record_by_reference(p_reference text) RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT id FROM (
    SELECT c.id FROM children c WHERE c.partnership_id = lantern_partnership() AND c.reference IN (p_reference, upper(p_reference))
    UNION ALL
    SELECT k.id FROM concerns k WHERE k.partnership_id = lantern_partnership() AND k.reference IN (p_reference, upper(p_reference))
  ) r
  WHERE lantern_actor_roles() && ARRAY['dpo', 'system_admin']::text[]
  LIMIT 1
$$;
REVOKE ALL ON FUNCTION lantern_audit_record_by_reference(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_audit_record_by_reference(text) TO lantern_app;
