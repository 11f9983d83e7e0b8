-- When a neighbouring partnership reads a child shared with it, the owning partnership's audit
-- trail must show that disclosure too, not only the reader's. Row-level security lets the app
-- append only to the acting partnership's chain, so this narrow function appends to the owner's,
-- and only for a child currently shared with the acting partnership.
CREATE FUNCTION lantern_audit_shared_view(p_child uuid, p_actor_label text, p_details jsonb)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  owner uuid;
BEGIN
  SELECT c.partnership_id INTO owner FROM children c
  WHERE c.id = p_child AND c.partnership_id <> lantern_partnership()
    AND EXISTS (SELECT 1 FROM lantern_shared_children() s WHERE s = c.id);
  IF owner IS NULL THEN
    RAISE EXCEPTION 'lantern: child % is not shared with the acting partnership', p_child USING ERRCODE = 'insufficient_privilege';
  END IF;
  INSERT INTO audit_events (partnership_id, chain_id, seq, actor_user_id, actor_label, action, record_type, record_id, details, prev_hash, hash)
  VALUES (owner, owner, 0, lantern_user(), p_actor_label, 'record.view', 'child', p_child::text,
          p_details || jsonb_build_object('viewer_partnership', lantern_partnership()), '', '');
END
$$;
REVOKE ALL ON FUNCTION lantern_audit_shared_view(uuid, text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_audit_shared_view(uuid, text, jsonb) TO lantern_app;
