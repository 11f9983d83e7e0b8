-- The problem profile's published view (issue 13 §2 "who sees what", §3): board members and councillors
-- see the profile's figures after disclosure control. The control is applied by the application
-- (src/features/disclosure, a pure function of the counts), so the counts-only functions of 0410 now
-- answer a board member too: they give numbers per (measure, breakdown, category, locality), never a
-- row about a child, and the application publishes only the controlled table to that role
-- (src/features/profile/published.ts; authz/policy.ts 'profile.read_published').
CREATE OR REPLACE FUNCTION lantern_profile_reader() RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT coalesce(lantern_actor_roles() && ARRAY['analyst', 'strategy_lead', 'coordinator', 'board_member']::text[], false)
$$;

-- The JSON API's profile (GET /api/v1/profile): its own scope, profile:read. Every scope so far (0321)
-- and the new one.
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_scopes_known;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scopes_known CHECK (
  cardinality(scopes) > 0
  AND scopes <@ ARRAY['children:read', 'children:write', 'concerns:read', 'concerns:write', 'assessments:read', 'assessments:write',
    'episodes:read', 'episodes:write', 'meetings:read', 'meetings:write', 'plans:read', 'plans:write', 'chronology:read', 'flags:read',
    'flags:write', 'notes:read', 'notes:write', 'referrals:read', 'referrals:write', 'intelligence:read', 'intelligence:write',
    'disruptions:read', 'disruptions:write', 'mace:read', 'mace:write', 'profile:read']::text[]);

-- A token may carry the board role (a board dashboard reading the published profile): it reaches only
-- what a board member reaches, so GET /api/v1/profile gives it the controlled figures alone.
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_roles_check;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_roles_check CHECK (
  cardinality(roles) > 0 AND roles <@ ARRAY['triage_worker', 'practitioner', 'coordinator', 'analyst', 'board_member']::text[]);
