-- Identity (issue 16 §1): accounts linked to an organisation's OpenID Connect provider, passkeys and
-- security keys (WebAuthn) as a second factor, and the one-time challenge a WebAuthn ceremony signs.
-- Like sessions, both tables are sign-in's (lantern_auth); requests (lantern_app) may only read the rows
-- of the acting partnership, and nothing secret is kept in them (a passkey's public key is public).

-- A Lantern account signed in through a provider: the provider's subject is bound to the account the
-- first time its verified email matched, so a later email reassigned at the provider cannot take it over.
CREATE TABLE oidc_identities (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  user_id uuid NOT NULL REFERENCES users (id),
  issuer text NOT NULL CHECK (length(issuer) BETWEEN 1 AND 400),
  subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
  created_at timestamptz NOT NULL,
  last_used_at timestamptz NOT NULL,
  UNIQUE (issuer, subject),
  UNIQUE (user_id, issuer)
);

-- A passkey or security key registered as a second factor.
CREATE TABLE webauthn_credentials (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  user_id uuid NOT NULL REFERENCES users (id),
  credential_id text NOT NULL UNIQUE CHECK (length(credential_id) BETWEEN 16 AND 1400),   -- base64url
  public_key bytea NOT NULL,
  sign_count bigint NOT NULL DEFAULT 0 CHECK (sign_count >= 0),
  transports text[] NOT NULL DEFAULT '{}',
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  backed_up boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  last_used_at timestamptz
);
CREATE INDEX webauthn_credentials_user_idx ON webauthn_credentials (user_id);

SELECT lantern_partnership_table('oidc_identities', 'SELECT');
SELECT lantern_partnership_table('webauthn_credentials', 'SELECT');
GRANT SELECT, INSERT, UPDATE ON oidc_identities TO lantern_auth;
GRANT SELECT, INSERT, UPDATE (sign_count, last_used_at, backed_up), DELETE ON webauthn_credentials TO lantern_auth;
CREATE POLICY oidc_identities_auth ON oidc_identities TO lantern_auth USING (true) WITH CHECK (true);
CREATE POLICY webauthn_credentials_auth ON webauthn_credentials TO lantern_auth USING (true) WITH CHECK (true);

-- A WebAuthn ceremony's challenge is kept on the session that asked for it, used once, for 5 minutes.
-- An administrator without a passkey is held at the register_passkey stage until they add one.
ALTER TABLE sessions ADD COLUMN webauthn_challenge text, ADD COLUMN webauthn_challenge_expires_at timestamptz;
ALTER TABLE sessions DROP CONSTRAINT sessions_stage_check;
ALTER TABLE sessions ADD CONSTRAINT sessions_stage_check
  CHECK (stage IN ('second_factor', 'enrol', 'change_password', 'register_passkey', 'signed_in'));
