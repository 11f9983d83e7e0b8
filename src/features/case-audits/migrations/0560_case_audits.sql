-- Multi-agency case audits (issue 15 §1): a themed audit of a sample of children's records, answered
-- by auditors of named agencies with a versioned audit tool (a copy of the tool is kept with the audit),
-- moderated, with findings and learning actions that may be added to the partnership's action plan.
-- Every table is the acting partnership's (lantern_partnership_table); which pages read them is decided
-- by authz/policy.ts. No table holds a child's name: the sample holds ids, the report positions.

CREATE TABLE case_audits (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  scope text NOT NULL DEFAULT '',
  period_start date NOT NULL,
  period_end date NOT NULL,
  tool_id text NOT NULL,
  tool_version integer NOT NULL,
  tool jsonb NOT NULL,
  -- The criteria the sample was drawn from: { riskLevels: [...], flag: kind | null, agencyId: uuid | null }.
  criteria jsonb NOT NULL DEFAULT '{}',
  method text NOT NULL CHECK (method IN ('random', 'stratified')),
  stratify_by text CHECK (stratify_by IN ('agency', 'risk', 'flag')),
  sample_size integer NOT NULL CHECK (sample_size BETWEEN 1 AND 100),
  -- The seed of the draw: the same seed over the same children draws the same sample.
  seed bigint NOT NULL CHECK (seed >= 0 AND seed < 4294967296),
  population integer,
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'in_progress', 'closed')),
  findings text NOT NULL DEFAULT '',
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  opened_at timestamptz,
  closed_at timestamptz,
  CHECK (period_end >= period_start),
  CHECK ((method = 'stratified') = (stratify_by IS NOT NULL)),
  UNIQUE (partnership_id, id)
);

CREATE TABLE case_audit_auditors (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  audit_id uuid NOT NULL,
  user_id uuid NOT NULL REFERENCES users (id),
  agency_id uuid NOT NULL,
  FOREIGN KEY (partnership_id, audit_id) REFERENCES case_audits (partnership_id, id),
  FOREIGN KEY (partnership_id, agency_id) REFERENCES agencies (partnership_id, id),
  UNIQUE (audit_id, user_id)
);
CREATE INDEX case_audit_auditors_user_idx ON case_audit_auditors (user_id, audit_id);

CREATE TABLE case_audit_sample (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  audit_id uuid NOT NULL,
  child_id uuid NOT NULL,
  position integer NOT NULL CHECK (position >= 1),
  stratum text NOT NULL DEFAULT '',
  FOREIGN KEY (partnership_id, audit_id) REFERENCES case_audits (partnership_id, id),
  FOREIGN KEY (partnership_id, child_id) REFERENCES children (partnership_id, id),
  UNIQUE (audit_id, child_id),
  UNIQUE (audit_id, position),
  UNIQUE (partnership_id, id)
);

CREATE TABLE case_audit_answers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  audit_id uuid NOT NULL,
  sample_id uuid NOT NULL,
  agency_id uuid NOT NULL,
  auditor_id uuid NOT NULL REFERENCES users (id),
  answers jsonb NOT NULL,
  grade text NOT NULL CHECK (grade IN ('outstanding', 'good', 'requires-improvement', 'inadequate')),
  comment text NOT NULL DEFAULT '',
  submitted_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partnership_id, audit_id) REFERENCES case_audits (partnership_id, id),
  FOREIGN KEY (partnership_id, sample_id) REFERENCES case_audit_sample (partnership_id, id),
  FOREIGN KEY (partnership_id, agency_id) REFERENCES agencies (partnership_id, id),
  UNIQUE (sample_id, agency_id)
);

CREATE TABLE case_audit_moderations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  audit_id uuid NOT NULL,
  sample_id uuid NOT NULL,
  agreed_grade text NOT NULL CHECK (agreed_grade IN ('outstanding', 'good', 'requires-improvement', 'inadequate')),
  note text NOT NULL DEFAULT '',
  moderated_by uuid REFERENCES users (id),
  moderated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partnership_id, audit_id) REFERENCES case_audits (partnership_id, id),
  FOREIGN KEY (partnership_id, sample_id) REFERENCES case_audit_sample (partnership_id, id),
  UNIQUE (sample_id)
);

CREATE TABLE case_audit_learning (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  audit_id uuid NOT NULL,
  text text NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
  -- The action of the partnership's plan this learning became (its board_plan_ref names the audit back).
  strategy_action_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partnership_id, audit_id) REFERENCES case_audits (partnership_id, id),
  FOREIGN KEY (partnership_id, strategy_action_id) REFERENCES strategy_actions (partnership_id, id)
);

SELECT lantern_partnership_table('case_audits', 'SELECT, INSERT, UPDATE');
SELECT lantern_partnership_table('case_audit_auditors', 'SELECT, INSERT, DELETE');
SELECT lantern_partnership_table('case_audit_sample', 'SELECT, INSERT, DELETE');
SELECT lantern_partnership_table('case_audit_answers', 'SELECT, INSERT, UPDATE');
SELECT lantern_partnership_table('case_audit_moderations', 'SELECT, INSERT, UPDATE');
SELECT lantern_partnership_table('case_audit_learning', 'SELECT, INSERT, UPDATE (strategy_action_id)');

-- The children an audit may sample: the acting partnership's, matching the criteria, whose record was not
-- closed before the period began; never a restricted or merged record. Ids and the strata only, no names:
-- the audit's lead (a strategy lead or co-ordinator) draws a sample of records they may not read.
CREATE FUNCTION lantern_case_audit_candidates(p_start date, p_end date, p_risk text[], p_flag text, p_agency uuid)
RETURNS TABLE (child_id uuid, owning_agency_id uuid, risk_level text, open_flags text[])
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF NOT coalesce(lantern_actor_roles() && ARRAY['strategy_lead', 'coordinator']::text[], false) THEN
    RAISE EXCEPTION 'lantern: not an audit lead' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN QUERY
  SELECT c.id, c.owning_agency_id, c.current_risk_level, c.open_flags
  FROM children c
  WHERE c.partnership_id = lantern_partnership() AND NOT c.restricted AND c.merged_into_id IS NULL
    AND (c.closed_at IS NULL OR c.closed_at::date >= p_start)
    AND (p_risk IS NULL OR c.current_risk_level = ANY (p_risk))
    AND (p_flag IS NULL OR p_flag = ANY (c.open_flags))
    AND (p_agency IS NULL OR c.owning_agency_id = p_agency OR p_agency = ANY (c.agency_ids))
  ORDER BY c.id;
END
$$;
REVOKE ALL ON FUNCTION lantern_case_audit_candidates(date, date, text[], text, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_case_audit_candidates(date, date, text[], text, uuid) TO lantern_app;

-- A sampled child's record as its audit's auditor reads it: only a person (never a token) named as an
-- auditor of an audit in progress that sampled the child; anything else is NULL, which the page answers
-- with 404. Closing the audit ends the access. What an auditor needs to judge the case, for the period.
CREATE FUNCTION lantern_case_audit_record(p_audit uuid, p_child uuid) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
DECLARE
  a record;
  result jsonb;
BEGIN
  SELECT ca.id, ca.period_start, ca.period_end INTO a
  FROM case_audits ca
  JOIN case_audit_sample s ON s.audit_id = ca.id AND s.child_id = p_child
  JOIN case_audit_auditors u ON u.audit_id = ca.id AND u.user_id = lantern_user()
  WHERE ca.id = p_audit AND ca.partnership_id = lantern_partnership() AND ca.status = 'in_progress'
    AND lantern_actor_kind() = 'session';
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  SELECT jsonb_build_object(
    'id', c.id, 'reference', c.reference, 'given_name', c.given_name, 'family_name', c.family_name,
    'date_of_birth', c.date_of_birth::text, 'gender', c.gender, 'status', c.status,
    'risk_level', c.current_risk_level, 'risk_on', c.current_risk_on::text, 'open_flags', to_jsonb(c.open_flags),
    'owning_agency', (SELECT g.name FROM agencies g WHERE g.id = c.owning_agency_id),
    'agencies', coalesce((SELECT jsonb_agg(g.name ORDER BY g.name) FROM agencies g WHERE g.id = ANY (c.agency_ids) OR g.id = c.owning_agency_id), '[]'),
    'assessments', (SELECT count(*) FROM risk_assessments r WHERE r.child_id = c.id AND r.assessed_on BETWEEN a.period_start AND a.period_end),
    'episodes', (SELECT count(*) FROM missing_episodes e WHERE e.child_id = c.id AND e.started_at::date BETWEEN a.period_start AND a.period_end),
    'interviews', (SELECT count(*) FROM return_interviews i JOIN missing_episodes e ON e.id = i.episode_id
                   WHERE e.child_id = c.id AND e.started_at::date BETWEEN a.period_start AND a.period_end),
    'meetings', (SELECT count(*) FROM strategy_meetings m WHERE m.child_id = c.id AND m.held_on BETWEEN a.period_start AND a.period_end),
    'actions_open', (SELECT count(*) FROM plan_actions p WHERE p.child_id = c.id AND p.done_at IS NULL),
    'actions_done', (SELECT count(*) FROM plan_actions p WHERE p.child_id = c.id AND p.done_at IS NOT NULL))
  INTO result
  FROM children c WHERE c.id = p_child AND c.partnership_id = lantern_partnership();
  RETURN result;
END
$$;
REVOKE ALL ON FUNCTION lantern_case_audit_record(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_case_audit_record(uuid, uuid) TO lantern_app;
