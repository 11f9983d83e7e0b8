-- API tokens carry no more than the person who issued them, and never reach a restricted record
-- (security review H1). An administrator could issue itself a co-ordinator token for any agency and
-- read restricted children through the API with no break-glass and no alert.
--  * A token's roles are a subset of the issuer's roles in the acting partnership, its agency is the
--    issuer's agency, and it is issued by the acting person (checked here, whoever calls).
--  * It works only once a second person, an administrator other than the issuer, has approved it.
--  * A restricted child is invisible to every token, whichever agency owns it.

ALTER TABLE api_tokens
  ADD COLUMN approved_by uuid REFERENCES users (id),
  ADD COLUMN approved_at timestamptz,
  ADD CONSTRAINT api_tokens_second_person CHECK (approved_by IS NULL OR approved_by <> created_by),
  ADD CONSTRAINT api_tokens_approval_whole CHECK ((approved_by IS NULL) = (approved_at IS NULL));
-- Tokens issued before this rule stop working until a second person approves them.

GRANT SELECT (approved_by, approved_at) ON api_tokens TO lantern_app;
GRANT UPDATE (approved_by, approved_at) ON api_tokens TO lantern_app;
GRANT SELECT (approved_by, approved_at) ON api_tokens TO lantern_auth;

CREATE FUNCTION lantern_api_token_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  kind text := lantern_actor_kind();
BEGIN
  -- The owner (command line, seed) acts without a context; every request has one.
  IF kind IS NULL THEN
    RETURN NEW;
  END IF;
  IF kind = 'api_token' THEN
    RAISE EXCEPTION 'lantern: a token cannot issue or approve tokens' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF TG_OP = 'INSERT' THEN
    IF NEW.created_by IS DISTINCT FROM lantern_user() OR NEW.agency_id IS DISTINCT FROM lantern_agency()
       OR NOT (NEW.roles <@ lantern_actor_roles()) OR NEW.approved_by IS NOT NULL THEN
      RAISE EXCEPTION 'lantern: a token carries at most its issuer''s roles, for the issuer''s agency, and is approved by someone else'
        USING ERRCODE = 'insufficient_privilege';
    END IF;
  ELSIF NEW.approved_by IS DISTINCT FROM OLD.approved_by THEN
    IF OLD.approved_by IS NOT NULL OR NEW.approved_by IS DISTINCT FROM lantern_user() OR NEW.approved_by = OLD.created_by
       OR NOT (lantern_actor_roles() && ARRAY['partnership_admin', 'system_admin']::text[]) THEN
      RAISE EXCEPTION 'lantern: a token is approved once, by an administrator who did not issue it' USING ERRCODE = 'insufficient_privilege';
    END IF;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER api_tokens_rules BEFORE INSERT OR UPDATE ON api_tokens FOR EACH ROW EXECUTE FUNCTION lantern_api_token_rules();

-- A partner system's request, by the SHA-256 of its token (lantern_app cannot read token hashes).
-- Only an approved, unrevoked token opens a context. The token acts for nobody in row-level
-- security (no user), and its issuer is accountable in the audit trail. Expiry is checked by the
-- application's clock when the token is resolved (src/features/children/api/tokens.ts).
CREATE FUNCTION lantern_begin_api_token(p_token_hash text, p_client text, p_agent text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  t record;
BEGIN
  SELECT id, partnership_id, agency_id, roles, name, created_by INTO t
    FROM api_tokens WHERE token_hash = p_token_hash AND revoked_at IS NULL AND approved_at IS NOT NULL;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'lantern: no live API token' USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM lantern_set_context('api_token', t.partnership_id, t.agency_id, NULL, t.created_by, t.roles, 'api-token:' || t.name, t.id,
    p_client, p_agent);
END
$$;
REVOKE ALL ON FUNCTION lantern_begin_api_token(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_begin_api_token(text, text, text) TO lantern_app;

-- A restricted child is hidden from every token; people still need the owning agency or break-glass.
DROP POLICY children_restricted ON children;
CREATE POLICY children_restricted ON children AS RESTRICTIVE FOR SELECT
  USING (NOT restricted
         OR (lantern_actor_kind() IS DISTINCT FROM 'api_token'
             AND (owning_agency_id = lantern_agency()
                  OR EXISTS (SELECT 1 FROM break_glass_grants g WHERE g.child_id = children.id AND g.user_id = lantern_user() AND g.expires_at > now()))));
