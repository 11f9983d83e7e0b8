-- Children at risk: concerns and their triage, the rest of the child record, restricted records
-- with break-glass, sharing with a neighbouring partnership, and API tokens for partner systems.
-- Every table carries partnership_id; child sub-tables see a row only when the child itself is
-- visible (EXISTS on children), so the children_agency policy of 0004 decides for them too.

-- A name reduced to lower-case ASCII letters, for near-duplicate search. Immutable so that it can
-- feed generated columns and indexes. pg_trgm/fuzzystrmatch are not loaded in the embedded
-- database, so the fuzzy part (edit distance) runs in src/features/children/matching.ts.
CREATE FUNCTION lantern_name_key(p text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT regexp_replace(
    translate(lower(coalesce(p, '')), 'àáâãäåāçćčèéêëēėęìíîïīłñńòóôõöøōùúûüūýÿžźżśšß', 'aaaaaaaccceeeeeeeiiiiilnnoooooooouuuuuyyzzzsss'),
    '[^a-z]', '', 'g')
$$;

ALTER TABLE children
  ADD COLUMN given_key text GENERATED ALWAYS AS (lantern_name_key(given_name)) STORED,
  ADD COLUMN family_key text GENERATED ALWAYS AS (lantern_name_key(family_name)) STORED,
  ADD COLUMN aliases text[] NOT NULL DEFAULT '{}',
  ADD COLUMN gender text CHECK (gender IN ('female', 'male', 'non_binary', 'other', 'not_known')),
  -- ONS 2021 census groups: equality monitoring only, published in aggregate, never a risk factor.
  ADD COLUMN ethnicity text CHECK (ethnicity IN ('asian_bangladeshi', 'asian_chinese', 'asian_indian', 'asian_pakistani', 'asian_other',
    'black_african', 'black_caribbean', 'black_other', 'mixed_white_asian', 'mixed_white_black_african', 'mixed_white_black_caribbean',
    'mixed_other', 'white_british', 'white_irish', 'white_gypsy_traveller', 'white_roma', 'white_other', 'other_arab', 'other_any',
    'not_stated')),
  ADD COLUMN first_language text,
  ADD COLUMN school text,
  ADD COLUMN education_status text CHECK (education_status IN ('in_education', 'missing_education', 'excluded', 'elective_home',
    'alternative_provision', 'employment_training', 'neet')),
  ADD COLUMN send text CHECK (send IN ('none', 'sen_support', 'ehcp', 'disability', 'not_known')),
  ADD COLUMN looked_after boolean NOT NULL DEFAULT false,
  ADD COLUMN placement text,
  ADD COLUMN child_protection_plan boolean NOT NULL DEFAULT false,
  ADD COLUMN child_in_need boolean NOT NULL DEFAULT false,
  ADD COLUMN youth_justice boolean NOT NULL DEFAULT false,
  ADD COLUMN flag_cse boolean NOT NULL DEFAULT false,
  ADD COLUMN flag_cce boolean NOT NULL DEFAULT false,
  ADD COLUMN flag_trafficking boolean NOT NULL DEFAULT false,
  ADD COLUMN risk_level text CHECK (risk_level IN ('low', 'medium', 'high')),
  ADD COLUMN status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  ADD COLUMN closed_at timestamptz,
  ADD COLUMN closing_reason text,
  ADD COLUMN closing_outcome text CHECK (closing_outcome IN ('risk_reduced', 'no_longer_at_risk', 'moved_away', 'turned_eighteen',
    'transferred', 'no_further_action', 'other')),
  ADD COLUMN restricted_reason text,
  ADD CONSTRAINT children_closed_has_outcome CHECK (status = 'open' OR (closed_at IS NOT NULL AND closing_outcome IS NOT NULL));
CREATE INDEX children_name_key_idx ON children (partnership_id, family_key, given_key);
CREATE INDEX children_dob_idx ON children (partnership_id, date_of_birth);

-- Where a child has lived; the current address has no end date.
CREATE TABLE child_addresses (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  child_id uuid NOT NULL,
  line1 text NOT NULL,
  town text,
  postcode text,
  from_date date,
  to_date date,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partnership_id, child_id) REFERENCES children (partnership_id, id),
  CHECK (to_date IS NULL OR from_date IS NULL OR to_date >= from_date)
);
CREATE INDEX child_addresses_child_idx ON child_addresses (child_id);
CREATE INDEX child_addresses_postcode_idx ON child_addresses (partnership_id, postcode);

-- Agencies working with a child, and the allocated worker in each.
CREATE TABLE child_involvements (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  child_id uuid NOT NULL,
  agency_id uuid NOT NULL,
  worker_user_id uuid REFERENCES users (id),
  started_on date NOT NULL DEFAULT current_date,
  ended_on date,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partnership_id, child_id) REFERENCES children (partnership_id, id),
  FOREIGN KEY (partnership_id, agency_id) REFERENCES agencies (partnership_id, id)
);
CREATE INDEX child_involvements_child_idx ON child_involvements (child_id);
CREATE INDEX child_involvements_worker_idx ON child_involvements (worker_user_id) WHERE ended_on IS NULL;

-- Closing and reopening, kept as history (the child row holds the current state).
CREATE TABLE child_status_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  child_id uuid NOT NULL,
  event text NOT NULL CHECK (event IN ('closed', 'reopened')),
  outcome text,
  reason text NOT NULL,
  recorded_by uuid REFERENCES users (id),
  recorded_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partnership_id, child_id) REFERENCES children (partnership_id, id)
);
CREATE INDEX child_status_events_child_idx ON child_status_events (child_id, recorded_at);

-- A concern raised by the public, a professional, a councillor or a partner system, and its triage.
CREATE TABLE concerns (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  reference text NOT NULL UNIQUE,
  source text NOT NULL CHECK (source IN ('public', 'professional', 'member', 'partner_system')),
  received_at timestamptz NOT NULL DEFAULT now(),
  deadline_at timestamptz NOT NULL,
  what_happened text NOT NULL,
  where_text text,
  when_text text,
  occurred_on date,
  about_text text,
  contact_text text,
  anonymous boolean NOT NULL DEFAULT false,
  raised_by uuid,
  raised_by_agency_id uuid,
  child_id uuid,
  decision text CHECK (decision IN ('not_cse', 'cse_concern', 'already_known')),
  risk_level text CHECK (risk_level IN ('low', 'medium', 'high')),
  acting_agency_id uuid,
  decision_notes text,
  decided_at timestamptz,
  decided_by uuid REFERENCES users (id),
  FOREIGN KEY (partnership_id, child_id) REFERENCES children (partnership_id, id),
  FOREIGN KEY (partnership_id, raised_by_agency_id) REFERENCES agencies (partnership_id, id),
  FOREIGN KEY (partnership_id, acting_agency_id) REFERENCES agencies (partnership_id, id),
  CHECK ((decision IS NULL) = (decided_at IS NULL))
);
CREATE INDEX concerns_queue_idx ON concerns (partnership_id, deadline_at) WHERE decision IS NULL;
CREATE INDEX concerns_child_idx ON concerns (child_id);

-- Break-glass: who opened a restricted record, why, until when. The DPO sees and acknowledges them.
CREATE TABLE break_glass_grants (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  child_id uuid NOT NULL,
  user_id uuid NOT NULL REFERENCES users (id),
  reason text NOT NULL,
  granted_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  acknowledged_at timestamptz,
  acknowledged_by uuid REFERENCES users (id),
  FOREIGN KEY (partnership_id, child_id) REFERENCES children (partnership_id, id),
  CHECK (expires_at > granted_at)
);
CREATE INDEX break_glass_grants_user_idx ON break_glass_grants (user_id, child_id, expires_at);

-- A child's record disclosed to a neighbouring partnership, only under a sharing agreement.
CREATE TABLE child_partnership_shares (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  child_id uuid NOT NULL,
  agreement_id uuid NOT NULL REFERENCES sharing_agreements (id),
  recipient_partnership_id uuid NOT NULL REFERENCES partnerships (id),
  lawful_basis text NOT NULL,
  shared_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  FOREIGN KEY (partnership_id, child_id) REFERENCES children (partnership_id, id),
  CHECK (recipient_partnership_id <> partnership_id)
);
CREATE INDEX child_partnership_shares_recipient_idx ON child_partnership_shares (recipient_partnership_id, child_id) WHERE revoked_at IS NULL;

-- Tokens for partner systems: only a SHA-256 of the token is kept; it is shown once.
CREATE TABLE api_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  agency_id uuid NOT NULL,
  name text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  roles text[] NOT NULL CHECK (cardinality(roles) > 0 AND roles <@ ARRAY['triage_worker', 'practitioner', 'coordinator', 'analyst']::text[]),
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz,
  FOREIGN KEY (partnership_id, agency_id) REFERENCES agencies (partnership_id, id)
);

-- Child sub-tables: visible when the child is (partnership, agency, sharing and restriction rules of children).
SELECT lantern_child_table('child_addresses', 'SELECT, INSERT, UPDATE');
SELECT lantern_child_table('child_involvements', 'SELECT, INSERT, UPDATE');
SELECT lantern_child_table('child_status_events', 'SELECT, INSERT');
SELECT lantern_child_table('child_partnership_shares', 'SELECT, INSERT, UPDATE');
-- API tokens: the acting partnership's only (pages are limited by permission).
SELECT lantern_partnership_table('api_tokens', 'SELECT, INSERT, UPDATE');

-- Concerns: partnership-wide roles (triage) see the queue; an agency sees what it raised or was asked to act on.
SELECT lantern_rls_table('concerns', 'SELECT, INSERT, UPDATE');
CREATE POLICY concerns_agency ON concerns
  USING (partnership_id = lantern_partnership()
         AND (lantern_scope() = 'partnership' OR raised_by_agency_id = lantern_agency() OR acting_agency_id = lantern_agency()))
  WITH CHECK (partnership_id = lantern_partnership());

-- Break-glass grants: the acting partnership's; a person records only their own, and only acknowledging changes one.
SELECT lantern_rls_table('break_glass_grants', 'SELECT, INSERT, UPDATE (acknowledged_at, acknowledged_by)');
CREATE POLICY break_glass_grants_partnership ON break_glass_grants
  USING (partnership_id = lantern_partnership()) WITH CHECK (partnership_id = lantern_partnership() AND user_id = lantern_user());

-- A restricted child is hidden, even from partnership-wide roles, except from its owning agency and
-- from a person holding an unexpired break-glass grant. RESTRICTIVE: it narrows children_agency.
CREATE POLICY children_restricted ON children AS RESTRICTIVE FOR SELECT
  USING (NOT restricted OR owning_agency_id = lantern_agency()
         OR EXISTS (SELECT 1 FROM break_glass_grants g WHERE g.child_id = children.id AND g.user_id = lantern_user() AND g.expires_at > now()));

-- Children shared with the acting partnership under a live agreement. SECURITY DEFINER because the
-- shares belong to the sharing partnership (whose policy the recipient cannot pass), and to avoid a
-- policy cycle between children and child_partnership_shares.
CREATE FUNCTION lantern_shared_children() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT s.child_id FROM child_partnership_shares s JOIN sharing_agreements a ON a.id = s.agreement_id
  WHERE s.recipient_partnership_id = lantern_partnership() AND s.revoked_at IS NULL
    AND a.recipient_partnership_id = s.recipient_partnership_id
    AND a.starts_on <= current_date AND (a.ends_on IS NULL OR a.ends_on >= current_date)
$$;
REVOKE ALL ON FUNCTION lantern_shared_children() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_shared_children() TO lantern_app;

-- A neighbouring partnership reads a child's core record while a share under a live agreement stands.
CREATE POLICY children_partnership_share ON children FOR SELECT
  USING (EXISTS (SELECT 1 FROM lantern_shared_children() s WHERE s = children.id));

-- Whether a child the actor cannot read exists and is restricted, so the page can offer break-glass
-- instead of "not found". Says nothing about children of another partnership or agency.
CREATE FUNCTION lantern_child_restricted(p_id uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT EXISTS (SELECT 1 FROM children c
                 WHERE c.id = p_id AND c.restricted AND c.partnership_id = lantern_partnership()
                   AND lantern_agency_can_see('child', c.id, c.owning_agency_id))
$$;
REVOKE ALL ON FUNCTION lantern_child_restricted(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_child_restricted(uuid) TO lantern_app;
