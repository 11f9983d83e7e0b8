-- Assurance: training and its compliance, awareness campaigns and their feedback, the directory
-- of local services that address CSE, and scrutiny (committees, task groups, recommendations).
-- Every table carries partnership_id with forced row-level security, as in 0004.

CREATE TABLE training_courses (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  title text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('awareness', 'specialist', 'risk_tool', 'protocol')),
  description text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (partnership_id, title),
  UNIQUE (partnership_id, id)
);

CREATE TABLE training_sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  course_id uuid NOT NULL,
  held_on date NOT NULL,
  trainer text NOT NULL,
  venue text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partnership_id, course_id) REFERENCES training_courses (partnership_id, id),
  UNIQUE (partnership_id, id)
);
CREATE INDEX training_sessions_course_idx ON training_sessions (partnership_id, course_id, held_on);

-- Staff who must be trained but have no Lantern account (most of the workforce).
CREATE TABLE training_staff (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  agency_id uuid NOT NULL,
  display_name text NOT NULL,
  email text CHECK (email IS NULL OR email = lower(email)),
  role_title text,
  started_on date,
  left_on date,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partnership_id, agency_id) REFERENCES agencies (partnership_id, id),
  UNIQUE (partnership_id, id)
);
CREATE INDEX training_staff_agency_idx ON training_staff (partnership_id, agency_id);

-- One row per person at a session: a Lantern user or a staff record, never both.
CREATE TABLE training_attendance (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  session_id uuid NOT NULL,
  user_id uuid REFERENCES users (id),
  staff_id uuid,
  agency_id uuid NOT NULL,
  role_title text,
  recorded_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partnership_id, session_id) REFERENCES training_sessions (partnership_id, id),
  FOREIGN KEY (partnership_id, staff_id) REFERENCES training_staff (partnership_id, id),
  FOREIGN KEY (partnership_id, agency_id) REFERENCES agencies (partnership_id, id),
  CHECK ((user_id IS NULL) <> (staff_id IS NULL))
);
CREATE UNIQUE INDEX training_attendance_user_key ON training_attendance (session_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX training_attendance_staff_key ON training_attendance (session_id, staff_id) WHERE staff_id IS NOT NULL;

-- A compliance measure: "percentage of staff trained (any of these courses) within N months of joining".
CREATE TABLE training_measures (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  title text NOT NULL,
  course_ids uuid[] NOT NULL CHECK (cardinality(course_ids) > 0),
  window_months integer NOT NULL CHECK (window_months BETWEEN 1 AND 60),
  target_percent integer NOT NULL CHECK (target_percent BETWEEN 0 AND 100),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (partnership_id, title)
);

CREATE TABLE campaigns (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  title text NOT NULL,
  audience text NOT NULL CHECK (audience IN ('schools', 'taxi_drivers', 'hotels', 'licensed_premises', 'letting_agents',
    'parents_carers', 'foster_carers', 'children_in_care', 'public')),
  starts_on date NOT NULL,
  ends_on date,
  people_reached integer NOT NULL DEFAULT 0 CHECK (people_reached >= 0),
  summary text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (partnership_id, id),
  CHECK (ends_on IS NULL OR ends_on >= starts_on)
);

CREATE TABLE campaign_materials (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  campaign_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('leaflet', 'poster', 'film', 'play', 'presentation', 'web_page', 'guide')),
  title text NOT NULL,
  quantity integer NOT NULL DEFAULT 0 CHECK (quantity >= 0),
  FOREIGN KEY (partnership_id, campaign_id) REFERENCES campaigns (partnership_id, id)
);

-- Feedback questionnaires are anonymous: answers are kept as tallies per question.
CREATE TABLE campaign_questions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  campaign_id uuid NOT NULL,
  position integer NOT NULL,
  text text NOT NULL,
  scale text NOT NULL CHECK (scale IN ('likert', 'yes_no')),
  FOREIGN KEY (partnership_id, campaign_id) REFERENCES campaigns (partnership_id, id),
  UNIQUE (partnership_id, id)
);

CREATE TABLE campaign_answer_counts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  question_id uuid NOT NULL,
  answer text NOT NULL,
  count integer NOT NULL CHECK (count >= 0),
  FOREIGN KEY (partnership_id, question_id) REFERENCES campaign_questions (partnership_id, id),
  UNIQUE (question_id, answer)
);

CREATE TABLE directory_services (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  name text NOT NULL,
  provider text NOT NULL,
  description text NOT NULL,
  for_whom text NOT NULL,
  age_from integer NOT NULL CHECK (age_from BETWEEN 0 AND 25),
  age_to integer NOT NULL CHECK (age_to BETWEEN 0 AND 25),
  referral_route text NOT NULL,
  contact text NOT NULL,
  area text NOT NULL,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (age_to >= age_from),
  UNIQUE (partnership_id, name)
);

CREATE TABLE scrutiny_bodies (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('committee', 'task_group', 'board', 'sub_group')),
  parent_id uuid,
  chair text,
  remit text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (partnership_id, id),
  UNIQUE (partnership_id, name),
  FOREIGN KEY (partnership_id, parent_id) REFERENCES scrutiny_bodies (partnership_id, id)
);

-- The work programme: when a body meets and on what topic.
CREATE TABLE scrutiny_work_items (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  body_id uuid NOT NULL,
  meets_on date NOT NULL,
  topic text NOT NULL,
  details text,
  FOREIGN KEY (partnership_id, body_id) REFERENCES scrutiny_bodies (partnership_id, id)
);

CREATE TABLE scrutiny_recommendations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  body_id uuid NOT NULL,
  reference text NOT NULL,
  recommendation text NOT NULL,
  made_on date NOT NULL,
  cross_reference text,
  response text CHECK (response IN ('accepted', 'partly_accepted', 'rejected')),
  response_text text,
  owner text,
  due_on date,
  status text NOT NULL DEFAULT 'not-rated' CHECK (status IN ('red', 'amber', 'green', 'blue', 'not-applicable', 'not-rated')),
  evidence_source text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partnership_id, body_id) REFERENCES scrutiny_bodies (partnership_id, id),
  UNIQUE (body_id, reference)
);

-- Attendance recorded in error and answer tallies being replaced are the only deletions.
SELECT lantern_partnership_table('training_courses', 'SELECT, INSERT, UPDATE');
SELECT lantern_partnership_table('training_sessions', 'SELECT, INSERT, UPDATE');
SELECT lantern_partnership_table('training_staff', 'SELECT, INSERT, UPDATE');
SELECT lantern_partnership_table('training_attendance', 'SELECT, INSERT, UPDATE, DELETE');
SELECT lantern_partnership_table('training_measures', 'SELECT, INSERT, UPDATE');
SELECT lantern_partnership_table('campaigns', 'SELECT, INSERT, UPDATE');
SELECT lantern_partnership_table('campaign_materials', 'SELECT, INSERT, UPDATE');
SELECT lantern_partnership_table('campaign_questions', 'SELECT, INSERT, UPDATE');
SELECT lantern_partnership_table('campaign_answer_counts', 'SELECT, INSERT, UPDATE, DELETE');
SELECT lantern_partnership_table('directory_services', 'SELECT, INSERT, UPDATE');
SELECT lantern_partnership_table('scrutiny_bodies', 'SELECT, INSERT, UPDATE');
SELECT lantern_partnership_table('scrutiny_work_items', 'SELECT, INSERT, UPDATE');
SELECT lantern_partnership_table('scrutiny_recommendations', 'SELECT, INSERT, UPDATE');
