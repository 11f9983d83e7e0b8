-- Account lifecycle (issue 16 §1, docs/DECISIONS.md 54): when each person last signed in, and when an
-- administrator gave notice that a dormant account will be disabled.
--
-- last_signed_in_at is set by sign-in (lantern_auth) when a sign-in succeeds, by whichever way (password
-- and code, passkey, single sign-on); the same update clears dormant_notice_at. An administrator
-- (lantern_app, users_admin_update) records the notice; disabling uses the existing disabled_at.
ALTER TABLE users
  ADD COLUMN last_signed_in_at timestamptz,
  ADD COLUMN dormant_notice_at timestamptz;

-- Sign-ins before this migration: the audit chain has every successful one.
UPDATE users u SET last_signed_in_at = s.at
  FROM (SELECT actor_user_id, max(occurred_at) AS at FROM audit_events
         WHERE action = 'sign_in.success' AND actor_user_id IS NOT NULL GROUP BY actor_user_id) s
 WHERE s.actor_user_id = u.id;

GRANT SELECT (last_signed_in_at, dormant_notice_at) ON users TO lantern_app;
GRANT UPDATE (dormant_notice_at) ON users TO lantern_app;
GRANT UPDATE (last_signed_in_at, dormant_notice_at) ON users TO lantern_auth;

-- The dormant review reads people by how long since they signed in (or were created, if never).
CREATE INDEX users_dormancy ON users (partnership_id, (coalesce(last_signed_in_at, created_at))) WHERE disabled_at IS NULL;
