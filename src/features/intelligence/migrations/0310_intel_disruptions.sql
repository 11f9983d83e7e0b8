-- Disruption and outcomes (issue 12 §3): what the partnership did to disrupt those who exploit children
-- — a child abduction warning notice, a sexual risk order, a sexual harm prevention order, a licence
-- review or revocation, a trespass notice, engagement with hotels and taxi firms, an arrest, a charge, a
-- conviction, a National Referral Mechanism referral or another tactic — each with its date, the agency
-- that did it, the person of concern and/or location it targets, the children it protects and its outcome.
--
-- The same rule as the intelligence they act on (migration 0300): the acting partnership's rows, and only
-- for the intelligence roles (the police analyst and the exploitation co-ordinator). Board members and
-- strategy leads read figures only, through the SECURITY DEFINER functions at the end, which return
-- counts and a median and never a row (the strategy's Pursue measures, computed-measures.ts).
--
-- A disruption is recorded, and later its outcome (UPDATE of the outcome columns only); nothing is deleted.

CREATE TABLE intel_disruptions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  tactic text NOT NULL CHECK (tactic IN ('child_abduction_warning_notice', 'sexual_risk_order', 'sexual_harm_prevention_order', 'licence_review',
    'trespass_notice', 'hotel_taxi_engagement', 'arrest', 'charge', 'conviction', 'nrm_referral', 'other')),
  -- What "other" was; nothing for a listed tactic.
  tactic_other text,
  disrupted_on date NOT NULL,
  agency_id uuid NOT NULL,
  target_person_id uuid,
  target_location_id uuid,
  summary text NOT NULL CHECK (btrim(summary) <> ''),
  outcome text NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'achieved', 'not_achieved', 'breached')),
  outcome_notes text,
  outcome_recorded_at timestamptz,
  outcome_recorded_by_name text,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users (id),
  created_by_name text,
  FOREIGN KEY (partnership_id, agency_id) REFERENCES agencies (partnership_id, id),
  FOREIGN KEY (partnership_id, target_person_id) REFERENCES persons_of_concern (partnership_id, id),
  FOREIGN KEY (partnership_id, target_location_id) REFERENCES intel_locations (partnership_id, id),
  UNIQUE (partnership_id, id),
  -- A disruption is aimed at someone or somewhere.
  CHECK (target_person_id IS NOT NULL OR target_location_id IS NOT NULL),
  CHECK ((tactic = 'other') = (tactic_other IS NOT NULL AND btrim(tactic_other) <> ''))
);
CREATE INDEX intel_disruptions_partnership_idx ON intel_disruptions (partnership_id, disrupted_on DESC);
CREATE INDEX intel_disruptions_person_idx ON intel_disruptions (target_person_id) WHERE target_person_id IS NOT NULL;
CREATE INDEX intel_disruptions_location_idx ON intel_disruptions (target_location_id) WHERE target_location_id IS NOT NULL;

-- The children a disruption protects. The column is not child_id: these rows follow the intelligence
-- rule (partnership-wide intelligence roles), not a child record's agency rule (lantern_child_table).
CREATE TABLE intel_disruption_children (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  disruption_id uuid NOT NULL,
  linked_child_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partnership_id, disruption_id) REFERENCES intel_disruptions (partnership_id, id),
  FOREIGN KEY (partnership_id, linked_child_id) REFERENCES children (partnership_id, id),
  UNIQUE (disruption_id, linked_child_id)
);
CREATE INDEX intel_disruption_children_child_idx ON intel_disruption_children (linked_child_id);

SELECT lantern_rls_table('intel_disruptions', 'SELECT, INSERT, UPDATE (outcome, outcome_notes, outcome_recorded_at, outcome_recorded_by_name)');
SELECT lantern_standard_policy('intel_disruptions', '_intelligence', 'partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_actor_roles()) && ARRAY[''coordinator'', ''analyst'']::text[]');
SELECT lantern_rls_table('intel_disruption_children', 'SELECT, INSERT');
SELECT lantern_standard_policy('intel_disruption_children', '_intelligence', 'partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_actor_roles()) && ARRAY[''coordinator'', ''analyst'']::text[]');

-- ---- Management information: figures only, for every reader of the strategy's measures ----

-- Disruptions by the quarter of their date and by tactic, from p_from (a quarter's first day) up to
-- but not including p_to.
CREATE FUNCTION lantern_disruption_counts(p_from date, p_to date)
RETURNS TABLE (quarter_start date, tactic text, disruptions integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT date_trunc('quarter', d.disrupted_on)::date, d.tactic, count(*)::integer
    FROM intel_disruptions d
   WHERE d.partnership_id = lantern_partnership()
     AND d.disrupted_on >= p_from AND d.disrupted_on < p_to
   GROUP BY 1, 2
$$;

-- Time from first intelligence to first disruption, per person of concern: the earliest date any
-- intelligence names them (a link's first sighting or its recording, a graded report's date obtained or
-- its submission; the person's own record when nothing else), to the date of their first disruption.
-- By the quarter of that first disruption: how many persons, and the median of their days (never below
-- 0: intelligence dated after the disruption counts as the same day).
CREATE FUNCTION lantern_disruption_days_to_first(p_from date, p_to date)
RETURNS TABLE (quarter_start date, persons integer, median_days numeric)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  WITH first_disruption AS (
    SELECT d.target_person_id AS person_id, min(d.disrupted_on) AS disrupted_on
      FROM intel_disruptions d
     WHERE d.partnership_id = lantern_partnership() AND d.target_person_id IS NOT NULL
     GROUP BY d.target_person_id
  ), intelligence AS (
    SELECT f.person_id, f.disrupted_on,
           coalesce(
             least(
               (SELECT min(least(l.first_seen_on, (l.created_at AT TIME ZONE 'Europe/London')::date)) FROM intel_links l
                 WHERE l.partnership_id = p.partnership_id
                   AND ((l.from_kind = 'person' AND l.from_id = p.id) OR (l.to_kind = 'person' AND l.to_id = p.id))),
               (SELECT min(least(r.obtained_on, (r.created_at AT TIME ZONE 'Europe/London')::date)) FROM intel_report_links rl
                  JOIN intel_reports r ON r.id = rl.report_id
                 WHERE rl.partnership_id = p.partnership_id AND rl.entity_kind = 'person' AND rl.entity_id = p.id)),
             (p.created_at AT TIME ZONE 'Europe/London')::date) AS first_known_on
      FROM first_disruption f
      JOIN persons_of_concern p ON p.id = f.person_id AND p.partnership_id = lantern_partnership()
  )
  SELECT date_trunc('quarter', i.disrupted_on)::date, count(*)::integer,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY greatest(i.disrupted_on - i.first_known_on, 0))::numeric
    FROM intelligence i
   WHERE i.disrupted_on >= p_from AND i.disrupted_on < p_to
   GROUP BY 1
$$;

REVOKE ALL ON FUNCTION lantern_disruption_counts(date, date), lantern_disruption_days_to_first(date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_disruption_counts(date, date), lantern_disruption_days_to_first(date, date) TO lantern_app;

-- The strategy's measures may take their values from these figures each quarter (the Pursue strand):
-- every disruption, charges, convictions, and the median days from first intelligence to first disruption.
ALTER TABLE strategy_measures DROP CONSTRAINT strategy_measures_source_check;
ALTER TABLE strategy_measures ADD CONSTRAINT strategy_measures_source_check
  CHECK (source IN ('entered', 'children_at_risk', 'return_interviews_72h', 'concerns_within_deadline', 'staff_trained', 'disruptions',
    'disruption_charges', 'disruption_convictions', 'days_to_first_disruption'));

-- The JSON API's disruptions: scopes of their own, for tokens whose roles include an intelligence role.
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_scopes_known;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scopes_known CHECK (
  cardinality(scopes) > 0
  AND scopes <@ ARRAY['children:read', 'children:write', 'concerns:read', 'concerns:write', 'assessments:read', 'assessments:write',
    'episodes:read', 'episodes:write', 'meetings:read', 'meetings:write', 'plans:read', 'plans:write', 'chronology:read', 'flags:read',
    'flags:write', 'notes:read', 'notes:write', 'referrals:read', 'referrals:write', 'intelligence:read', 'intelligence:write',
    'disruptions:read', 'disruptions:write']::text[]);
