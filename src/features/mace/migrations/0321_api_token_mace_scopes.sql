-- The JSON API covers MACE meetings (issue 12 §4): their agendas, actions and decisions. Their own
-- resource family: a token issued before these scopes existed cannot read or write them until it is
-- reissued, and even with them only a token whose roles include an intelligence role (authz/policy.ts
-- mace.read; mace.manage, the co-ordinator, to write) reaches them.
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_scopes_known;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scopes_known CHECK (
  cardinality(scopes) > 0
  AND scopes <@ ARRAY['children:read', 'children:write', 'concerns:read', 'concerns:write', 'assessments:read', 'assessments:write',
    'episodes:read', 'episodes:write', 'meetings:read', 'meetings:write', 'plans:read', 'plans:write', 'chronology:read', 'flags:read',
    'flags:write', 'notes:read', 'notes:write', 'referrals:read', 'referrals:write', 'intelligence:read', 'intelligence:write',
    'disruptions:read', 'disruptions:write', 'mace:read', 'mace:write']::text[]);
