-- Stopping a share of a child's record, with who stopped it and why. revoked_at already ends a
-- share for row-level security (children_agency, lantern_shared_children); these say who and why.
-- A share given again clears them (the same row for an agency, a new row for a partnership).

ALTER TABLE record_shares
  ADD COLUMN revoked_by uuid REFERENCES users (id),
  ADD COLUMN revoked_reason text,
  ADD CONSTRAINT record_shares_revocation_when_revoked CHECK (revoked_at IS NOT NULL OR (revoked_by IS NULL AND revoked_reason IS NULL));

ALTER TABLE child_partnership_shares
  ADD COLUMN revoked_by uuid REFERENCES users (id),
  ADD COLUMN revoked_reason text,
  ADD CONSTRAINT child_partnership_shares_revocation_when_revoked CHECK (revoked_at IS NOT NULL OR (revoked_by IS NULL AND revoked_reason IS NULL));
