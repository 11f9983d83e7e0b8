-- The JSON API covers the rest of a child's casework (issue 10 §6): case notes, referrals to services of
-- the directory, and corrections of the child's record details. Each is its own resource family, so a
-- token issued before these scopes existed cannot read or write them until it is reissued.
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_scopes_known;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scopes_known CHECK (
  cardinality(scopes) > 0
  AND scopes <@ ARRAY['children:read', 'children:write', 'concerns:read', 'concerns:write', 'assessments:read', 'assessments:write',
    'episodes:read', 'episodes:write', 'meetings:read', 'meetings:write', 'plans:read', 'plans:write', 'chronology:read', 'flags:read',
    'flags:write', 'notes:read', 'notes:write', 'referrals:read', 'referrals:write']::text[]);
