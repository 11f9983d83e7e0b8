-- Tenancy and people: partnerships, agencies, teams, users, sharing agreements.
-- Every table carries partnership_id (the sharding key: see docs/SCALING.md).

-- The role every request runs as (SET LOCAL ROLE). It owns nothing and cannot bypass RLS.
-- Roles are cluster-wide on a PostgreSQL server, so create it only once.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lantern_app') THEN
    CREATE ROLE lantern_app NOLOGIN NOBYPASSRLS NOSUPERUSER NOCREATEDB NOCREATEROLE;
  END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO lantern_app;

-- The acting context of the current transaction, set by src/db/context.ts.
CREATE FUNCTION lantern_partnership() RETURNS uuid LANGUAGE sql STABLE AS
  $$ SELECT nullif(current_setting('lantern.partnership_id', true), '')::uuid $$;
CREATE FUNCTION lantern_agency() RETURNS uuid LANGUAGE sql STABLE AS
  $$ SELECT nullif(current_setting('lantern.agency_id', true), '')::uuid $$;
CREATE FUNCTION lantern_user() RETURNS uuid LANGUAGE sql STABLE AS
  $$ SELECT nullif(current_setting('lantern.user_id', true), '')::uuid $$;
-- 'partnership' for roles that work across agencies (triage, co-ordinator, DPO); 'agency' otherwise.
CREATE FUNCTION lantern_scope() RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT coalesce(nullif(current_setting('lantern.scope', true), ''), 'agency') $$;

CREATE TABLE partnerships (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid GENERATED ALWAYS AS (id) STORED,
  code text NOT NULL UNIQUE CHECK (code ~ '^[a-z][a-z0-9-]{1,30}$'),
  name text NOT NULL,
  nation text NOT NULL CHECK (nation IN ('england', 'wales')),
  triage_hours integer NOT NULL DEFAULT 24 CHECK (triage_hours BETWEEN 1 AND 168),
  suppression_rule text NOT NULL DEFAULT 'dfe' CHECK (suppression_rule IN ('dfe', 'nhs')),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE agencies (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  kind text NOT NULL CHECK (kind IN ('childrens_services', 'police', 'health', 'education', 'youth_justice', 'voluntary', 'partnership')),
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (partnership_id, name),
  UNIQUE (partnership_id, id)
);

CREATE TABLE teams (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  agency_id uuid NOT NULL,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partnership_id, agency_id) REFERENCES agencies (partnership_id, id),
  UNIQUE (agency_id, name)
);

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  agency_id uuid NOT NULL,
  team_id uuid REFERENCES teams (id),
  email text NOT NULL CHECK (email = lower(email) AND position('@' in email) > 1),
  display_name text NOT NULL,
  job_title text,
  roles text[] NOT NULL CHECK (
    cardinality(roles) > 0 AND roles <@ ARRAY['system_admin', 'partnership_admin', 'triage_worker', 'practitioner',
      'coordinator', 'analyst', 'strategy_lead', 'board_member', 'dpo']::text[]),
  password_hash text,
  totp_secret text,
  totp_enrolled_at timestamptz,
  totp_last_step bigint,
  started_on date,
  disabled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partnership_id, agency_id) REFERENCES agencies (partnership_id, id)
);
-- Email is the sign-in name, unique across the whole system.
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_partnership_idx ON users (partnership_id, agency_id);

-- An explicit, recorded agreement that lets a neighbouring partnership's users act here.
CREATE TABLE sharing_agreements (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),          -- the partnership whose data are shared
  recipient_partnership_id uuid NOT NULL REFERENCES partnerships (id),
  purpose text NOT NULL,
  lawful_basis text NOT NULL,
  starts_on date NOT NULL,
  ends_on date,
  recorded_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (partnership_id <> recipient_partnership_id),
  CHECK (ends_on IS NULL OR ends_on >= starts_on)
);

-- Which users of the recipient partnership may act under an agreement.
CREATE TABLE partnership_access_grants (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),          -- where the user may act
  agreement_id uuid NOT NULL REFERENCES sharing_agreements (id),
  user_id uuid NOT NULL REFERENCES users (id),
  roles text[] NOT NULL,
  granted_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  UNIQUE (agreement_id, user_id)
);

CREATE TABLE sessions (
  id text PRIMARY KEY,                     -- sha256 of the random cookie value; the value itself is never stored
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  user_id uuid NOT NULL REFERENCES users (id),
  acting_partnership_id uuid NOT NULL REFERENCES partnerships (id),
  stage text NOT NULL CHECK (stage IN ('second_factor', 'enrol', 'signed_in')),
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  absolute_expires_at timestamptz NOT NULL,
  ended_at timestamptz,
  ended_reason text
);
CREATE INDEX sessions_user_idx ON sessions (user_id) WHERE ended_at IS NULL;

-- Failed sign-in counters keyed by a hash of the email (or of the client address), whether or not an account exists.
CREATE TABLE sign_in_throttle (
  key text PRIMARY KEY,
  failures integer NOT NULL DEFAULT 0,
  window_started_at timestamptz NOT NULL,
  locked_until timestamptz
);
