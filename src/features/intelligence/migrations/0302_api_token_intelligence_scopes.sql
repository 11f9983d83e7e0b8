-- The JSON API covers intelligence entities and links (issue 12 §1: persons of concern, locations,
-- objects and the links between them and children). Their own resource family: a token issued before
-- these scopes existed cannot read or write them until it is reissued, and even with them only a
-- token whose roles include an intelligence role (authz/policy.ts intelligence.read) reaches them.
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_scopes_known;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scopes_known CHECK (
  cardinality(scopes) > 0
  AND scopes <@ ARRAY['children:read', 'children:write', 'concerns:read', 'concerns:write', 'assessments:read', 'assessments:write',
    'episodes:read', 'episodes:write', 'meetings:read', 'meetings:write', 'plans:read', 'plans:write', 'chronology:read', 'flags:read',
    'flags:write', 'notes:read', 'notes:write', 'referrals:read', 'referrals:write', 'intelligence:read', 'intelligence:write']::text[]);
