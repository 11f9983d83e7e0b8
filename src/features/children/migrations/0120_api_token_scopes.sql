-- What an API token may do, per resource family of /api/v1, read or write (src/authz/policy.ts,
-- apiScopes): chosen when the token is issued, a further limit on top of its roles. Tokens issued
-- before scopes existed keep what they could do (children and concerns), and may read and write the
-- casework the API now covers only if reissued. The default is that same set; the token form always names its scopes.
ALTER TABLE api_tokens ADD COLUMN scopes text[] NOT NULL DEFAULT ARRAY['children:read', 'concerns:read', 'concerns:write']::text[];
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scopes_known CHECK (
  cardinality(scopes) > 0
  AND scopes <@ ARRAY['children:read', 'concerns:read', 'concerns:write', 'assessments:read', 'assessments:write', 'episodes:read',
    'episodes:write', 'meetings:read', 'meetings:write', 'plans:read', 'plans:write', 'chronology:read', 'flags:read', 'flags:write']::text[]);

GRANT SELECT (scopes) ON api_tokens TO lantern_app;
GRANT INSERT (scopes) ON api_tokens TO lantern_app;
GRANT SELECT (scopes) ON api_tokens TO lantern_auth;
