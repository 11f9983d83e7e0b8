-- Casework on a child: risk assessments against tools held as data, missing episodes and return
-- interviews, strategy meetings with their plan actions, and case notes. Every row belongs to a
-- child, so each policy also requires the child to be visible (agency separation and sharing apply).

-- Risk assessment tool definitions a partnership uses: the built-in tools and any licensed
-- definition it loads. A definition is never changed: a new version is a new row.
CREATE TABLE risk_tools (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  tool_key text NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  name text NOT NULL,
  definition jsonb NOT NULL,
  source text NOT NULL CHECK (source IN ('built_in', 'loaded')),
  loaded_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (partnership_id, tool_key, version),
  UNIQUE (partnership_id, id)
);

CREATE TABLE risk_assessments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  child_id uuid NOT NULL,
  risk_tool_id uuid NOT NULL,
  tool_key text NOT NULL,
  tool_version integer NOT NULL,
  assessed_on date NOT NULL,
  assessor_user_id uuid REFERENCES users (id),
  assessor_name text NOT NULL,
  assessor_agency_id uuid NOT NULL,
  known_to_social_care boolean NOT NULL,
  in_care boolean NOT NULL,
  child_protection_plan boolean NOT NULL,
  youth_justice boolean NOT NULL,
  other_agencies text,
  answers jsonb NOT NULL,
  score_total integer NOT NULL,
  score_category text NOT NULL,
  score_category_label text NOT NULL,
  score_explanation jsonb NOT NULL,
  -- The worker's own judgement, recorded beside the score; it may differ from it.
  judgement_category text NOT NULL,
  judgement_category_label text NOT NULL,
  judgement_reasons text NOT NULL,
  review_due_on date NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partnership_id, child_id) REFERENCES children (partnership_id, id),
  FOREIGN KEY (partnership_id, risk_tool_id) REFERENCES risk_tools (partnership_id, id),
  FOREIGN KEY (partnership_id, assessor_agency_id) REFERENCES agencies (partnership_id, id)
);
CREATE INDEX risk_assessments_child_idx ON risk_assessments (partnership_id, child_id, assessed_on DESC);
CREATE INDEX risk_assessments_review_idx ON risk_assessments (partnership_id, review_due_on);

-- 'missing': whereabouts unknown; 'absent': away from placement without authorisation, whereabouts known.
-- A change of type ends one episode and opens the next, linked by previous_episode_id.
CREATE TABLE missing_episodes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  child_id uuid NOT NULL,
  episode_type text NOT NULL CHECK (episode_type IN ('missing', 'absent')),
  started_at timestamptz NOT NULL,
  ended_at timestamptz,
  ended_by text CHECK (ended_by IN ('returned', 'type_changed')),
  reported_by text NOT NULL,
  where_found text,
  risk_level text NOT NULL CHECK (risk_level IN ('low', 'medium', 'high')),
  police_reference text,
  previous_episode_id uuid REFERENCES missing_episodes (id),
  recorded_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ended_at IS NULL OR ended_at >= started_at),
  CHECK ((ended_at IS NULL) = (ended_by IS NULL)),
  FOREIGN KEY (partnership_id, child_id) REFERENCES children (partnership_id, id),
  UNIQUE (partnership_id, id)
);
CREATE INDEX missing_episodes_child_idx ON missing_episodes (partnership_id, child_id, started_at DESC);

-- The return home interview offered after an episode ends (due within 72 hours of return).
CREATE TABLE return_interviews (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  child_id uuid NOT NULL,
  episode_id uuid NOT NULL,
  offered_at timestamptz NOT NULL,
  interviewer_name text NOT NULL,
  interviewer_agency_id uuid NOT NULL,
  independent_of_placement boolean NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('accepted', 'declined')),
  held_at timestamptz,
  learned text,
  -- Structured for the intelligence feature: names of places and people the child mentioned.
  places_mentioned text[] NOT NULL DEFAULT '{}',
  people_mentioned text[] NOT NULL DEFAULT '{}',
  recorded_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partnership_id, child_id) REFERENCES children (partnership_id, id),
  FOREIGN KEY (partnership_id, episode_id) REFERENCES missing_episodes (partnership_id, id),
  FOREIGN KEY (partnership_id, interviewer_agency_id) REFERENCES agencies (partnership_id, id),
  UNIQUE (episode_id)
);

CREATE TABLE strategy_meetings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  child_id uuid NOT NULL,
  meeting_kind text NOT NULL CHECK (meeting_kind IN ('meeting', 'discussion')),
  held_on date NOT NULL,
  attending_agency_ids uuid[] NOT NULL DEFAULT '{}',
  attendees text NOT NULL,
  decisions text NOT NULL,
  risk_level text NOT NULL CHECK (risk_level IN ('low', 'medium', 'high')),
  next_review_on date,
  recorded_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partnership_id, child_id) REFERENCES children (partnership_id, id),
  UNIQUE (partnership_id, id)
);
CREATE INDEX strategy_meetings_child_idx ON strategy_meetings (partnership_id, child_id, held_on DESC);

-- The multi-agency plan: actions with an owner, agency and due date, usually agreed at a meeting.
CREATE TABLE plan_actions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  child_id uuid NOT NULL,
  meeting_id uuid,
  description text NOT NULL,
  owner_name text NOT NULL,
  agency_id uuid NOT NULL,
  due_on date NOT NULL,
  done_at timestamptz,
  recorded_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partnership_id, child_id) REFERENCES children (partnership_id, id),
  FOREIGN KEY (partnership_id, meeting_id) REFERENCES strategy_meetings (partnership_id, id),
  FOREIGN KEY (partnership_id, agency_id) REFERENCES agencies (partnership_id, id)
);
CREATE INDEX plan_actions_child_idx ON plan_actions (partnership_id, child_id, due_on);

CREATE TABLE case_notes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  child_id uuid NOT NULL,
  body text NOT NULL,
  author_user_id uuid REFERENCES users (id),
  author_name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partnership_id, child_id) REFERENCES children (partnership_id, id)
);
CREATE INDEX case_notes_child_idx ON case_notes (partnership_id, child_id, created_at DESC);

-- Tools are versioned, assessments and interviews are records of what happened: no deletes.
SELECT lantern_partnership_table('risk_tools', 'SELECT, INSERT');
SELECT lantern_child_table('risk_assessments', 'SELECT, INSERT');
SELECT lantern_child_table('missing_episodes', 'SELECT, INSERT, UPDATE');
SELECT lantern_child_table('return_interviews', 'SELECT, INSERT');
SELECT lantern_child_table('strategy_meetings', 'SELECT, INSERT, UPDATE');
SELECT lantern_child_table('plan_actions', 'SELECT, INSERT, UPDATE');
SELECT lantern_child_table('case_notes', 'SELECT, INSERT');
