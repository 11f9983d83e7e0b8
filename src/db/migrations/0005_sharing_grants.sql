-- Grants under a sharing agreement name people of the recipient partnership, whom row-level
-- security hides from the sharing partnership. These two functions reveal only what a grant needs,
-- and only for agreements the acting partnership owns.

CREATE FUNCTION lantern_grantee(p_agreement uuid, p_email text)
RETURNS TABLE (id uuid, display_name text, email text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT u.id, u.display_name, u.email
  FROM users u JOIN sharing_agreements a ON a.recipient_partnership_id = u.partnership_id
  WHERE a.id = p_agreement AND a.partnership_id = lantern_partnership()
    AND u.email = lower(trim(p_email)) AND u.disabled_at IS NULL
$$;

CREATE FUNCTION lantern_grantees(p_agreement uuid)
RETURNS TABLE (grant_id uuid, user_id uuid, display_name text, email text, roles text[], revoked_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT g.id, u.id, u.display_name, u.email, g.roles, g.revoked_at
  FROM partnership_access_grants g
  JOIN sharing_agreements a ON a.id = g.agreement_id
  JOIN users u ON u.id = g.user_id
  WHERE g.agreement_id = p_agreement AND a.partnership_id = lantern_partnership()
  ORDER BY u.display_name
$$;

REVOKE ALL ON FUNCTION lantern_grantee(uuid, text), lantern_grantees(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_grantee(uuid, text), lantern_grantees(uuid) TO lantern_app;
