-- Separation of duties (security review, finding M2) and one answer for an email in use anywhere (L5).
--
-- Nobody changes their own roles or agency, and the highest roles (dpo, system_admin) are given or
-- taken away only by someone acting as a system administrator, whether on an account or in a grant
-- under a sharing agreement. The admin service checks first and shows a form error; these triggers
-- refuse whatever gets past it. The CLI and the seeder run as the owner with no acting user
-- (lantern_user() is null) and are allowed; a request role with no acting user is not.

-- The acting user's roles where they act come from lantern_actor_roles() (migration 0009): the
-- request context the database set from the session, with a grant's roles in a neighbouring partnership.

-- Refuses a change of p_subject's roles from p_before to p_after (compared as sets) that breaks
-- separation of duties.
CREATE FUNCTION lantern_check_role_change(p_subject uuid, p_before text[], p_after text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  changed text[];
BEGIN
  SELECT coalesce(array_agg(r), '{}'::text[]) INTO changed FROM (
    (SELECT unnest(p_after) EXCEPT SELECT unnest(p_before))
    UNION
    (SELECT unnest(p_before) EXCEPT SELECT unnest(p_after))
  ) AS d (r);
  IF cardinality(changed) = 0 THEN
    RETURN;
  END IF;
  IF lantern_user() IS NULL THEN
    IF current_user = 'lantern_app' THEN
      RAISE EXCEPTION 'lantern: roles change without an acting user' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN;
  END IF;
  IF p_subject = lantern_user() THEN
    RAISE EXCEPTION 'lantern: nobody changes their own roles' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF changed && ARRAY['dpo', 'system_admin']::text[]
     AND NOT coalesce(lantern_actor_roles(), '{}'::text[]) @> ARRAY['system_admin']::text[] THEN
    RAISE EXCEPTION 'lantern: only a system administrator gives or takes away the dpo and system_admin roles'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
END
$$;

CREATE FUNCTION lantern_users_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM lantern_check_role_change(NEW.id, '{}'::text[], NEW.roles);
    RETURN NEW;
  END IF;
  PERFORM lantern_check_role_change(OLD.id, OLD.roles, NEW.roles);
  -- An agency decides which records a person sees, so it is theirs to change no more than their roles.
  IF NEW.agency_id IS DISTINCT FROM OLD.agency_id AND OLD.id = lantern_user() THEN
    RAISE EXCEPTION 'lantern: nobody changes their own agency' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER users_separation_of_duties BEFORE INSERT OR UPDATE OF roles, agency_id ON users
  FOR EACH ROW EXECUTE FUNCTION lantern_users_guard();

-- A grant's roles count while it is not revoked: giving, changing, revoking and restoring all change them.
-- An INSERT … ON CONFLICT DO UPDATE fires the INSERT trigger first: it compares with the grant already
-- there (if any), and the UPDATE trigger then checks the real change again.
CREATE FUNCTION lantern_access_grants_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  before_roles text[] := '{}'::text[];
  after_roles text[] := CASE WHEN NEW.revoked_at IS NULL THEN NEW.roles ELSE '{}'::text[] END;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT g.roles INTO before_roles FROM partnership_access_grants g
      WHERE g.agreement_id = NEW.agreement_id AND g.user_id = NEW.user_id AND g.revoked_at IS NULL;
    before_roles := coalesce(before_roles, '{}'::text[]);
  ELSE
    IF OLD.revoked_at IS NULL THEN
      before_roles := OLD.roles;
    END IF;
    IF OLD.user_id IS DISTINCT FROM NEW.user_id THEN
      PERFORM lantern_check_role_change(OLD.user_id, before_roles, '{}'::text[]);
      before_roles := '{}'::text[];
    END IF;
  END IF;
  PERFORM lantern_check_role_change(NEW.user_id, before_roles, after_roles);
  RETURN NEW;
END
$$;
CREATE TRIGGER access_grants_separation_of_duties BEFORE INSERT OR UPDATE ON partnership_access_grants
  FOR EACH ROW EXECUTE FUNCTION lantern_access_grants_guard();

-- Email is unique across every partnership, but row-level security lets an administrator see only
-- their own partnership's people. This answers "is the email free?" for the whole system, and only
-- that, so an email used in another partnership gets the same answer as one used here.
CREATE FUNCTION lantern_email_available(p_email text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT NOT EXISTS (SELECT 1 FROM users WHERE email = lower(trim(p_email)))
$$;
REVOKE ALL ON FUNCTION lantern_email_available(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_email_available(text) TO lantern_app;

-- The DPO's "Roles granted" page reads these rows newest first; they are few among millions.
CREATE INDEX audit_events_roles_granted_idx ON audit_events (partnership_id, occurred_at DESC, id DESC)
  WHERE action = 'user.roles_granted';
