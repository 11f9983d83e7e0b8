-- lantern_shared_children() is in the children policy, so every statement that reads a child (and
-- every child table, whose policies look the child up) runs it. As a SECURITY DEFINER SQL function it
-- cannot be inlined and its query was planned afresh in every statement (0.2–3 ms each, several times
-- a page: docs/PERFORMANCE.md). PL/pgSQL keeps the plan for the session. Same query, same meaning.
CREATE OR REPLACE FUNCTION lantern_shared_children() RETURNS SETOF uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  RETURN QUERY
  SELECT s.child_id FROM child_partnership_shares s JOIN sharing_agreements a ON a.id = s.agreement_id
  WHERE s.recipient_partnership_id = lantern_partnership() AND s.revoked_at IS NULL
    AND a.recipient_partnership_id = s.recipient_partnership_id
    AND a.starts_on <= current_date AND (a.ends_on IS NULL OR a.ends_on >= current_date);
END
$$;
