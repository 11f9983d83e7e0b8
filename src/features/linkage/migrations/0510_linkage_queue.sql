-- Record linkage in Lantern (issue 14 §2; docs/LINKAGE.md "In Lantern"): the trained model per
-- partnership and kind of record, the review queue of candidate duplicates with its decisions, and
-- the batch runs that fill it. Every table carries partnership_id under row-level security.

-- The model a batch run trained (m, u and the prior per comparison level, as JSON keyed by level
-- name); before any run the built-in defaults (src/features/linkage/live/default-parameters.json).
CREATE TABLE linkage_parameters (
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  record_kind text NOT NULL CHECK (record_kind IN ('child', 'person')),
  parameters jsonb NOT NULL,
  trained_at timestamptz NOT NULL DEFAULT now(),
  trained_by uuid REFERENCES users (id),
  records integer NOT NULL CHECK (records >= 0),
  PRIMARY KEY (partnership_id, record_kind)
);
SELECT lantern_partnership_table('linkage_parameters', 'SELECT, INSERT, UPDATE');

-- A candidate pair, once per pair (left_id < right_id). Decisions are kept: a decided pair is never
-- proposed again (a run updates only open pairs, and leaves decided ones as they are).
CREATE TABLE duplicate_pairs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  record_kind text NOT NULL CHECK (record_kind IN ('child', 'person')),
  left_id uuid NOT NULL,
  right_id uuid NOT NULL,
  match_probability double precision NOT NULL CHECK (match_probability BETWEEN 0 AND 1),
  match_weight double precision NOT NULL,
  waterfall jsonb NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'same', 'different', 'not_sure')),
  note text CHECK (note IS NULL OR length(note) <= 2000),
  decided_by uuid REFERENCES users (id),
  decided_by_name text,
  decided_at timestamptz,
  found_at timestamptz NOT NULL DEFAULT now(),
  CHECK (left_id < right_id),
  CHECK ((status = 'open') = (decided_at IS NULL)),
  UNIQUE (partnership_id, record_kind, left_id, right_id)
);
-- The queue: open pairs of a kind, strongest first.
CREATE INDEX duplicate_pairs_queue_idx ON duplicate_pairs (partnership_id, record_kind, match_probability DESC, id) WHERE status = 'open';
SELECT lantern_partnership_table('duplicate_pairs', 'SELECT, INSERT, UPDATE');

-- A batch run: started by a person, worked in steps in the background, its progress kept here.
CREATE TABLE linkage_runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  record_kind text NOT NULL CHECK (record_kind IN ('child', 'person')),
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'finished', 'failed')),
  step text NOT NULL DEFAULT 'queued' CHECK (step IN ('queued', 'reading', 'training', 'scoring', 'saving', 'done')),
  progress integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  records integer,
  candidates integer,
  pairs_found integer,
  pairs_added integer,
  error text,
  started_by uuid REFERENCES users (id),
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX linkage_runs_recent_idx ON linkage_runs (partnership_id, record_kind, started_at DESC);
-- One run of a kind at a time per partnership.
CREATE UNIQUE INDEX linkage_runs_one_at_a_time ON linkage_runs (partnership_id, record_kind) WHERE status IN ('queued', 'running');
SELECT lantern_partnership_table('linkage_runs', 'SELECT, INSERT, UPDATE');

-- Entry-time blocking (src/features/linkage/live/candidates.ts): children by name key equality, the
-- keys coming from the vocabulary (child_name_keys, migration 0118) by trigram similarity
-- (lantern_name_candidates) or by the same Double Metaphone code (below); by date of birth; by an
-- address's postcode. Key, date and postcode equality are leakproof, so under row-level security each
-- is an index condition; dmetaphone is not, so it is asked of the vocabulary (keys only, never who
-- carries them) in a security-definer function, as lantern_name_candidates does with pg_trgm.
CREATE INDEX child_name_keys_metaphone_idx ON child_name_keys (partnership_id, dmetaphone(key));
CREATE INDEX child_addresses_postcode_only_idx ON child_addresses (postcode);

CREATE FUNCTION lantern_name_metaphone_candidates(p_word text) RETURNS text[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF coalesce(p_word, '') = '' OR dmetaphone(p_word) = '' THEN
    RETURN '{}';
  END IF;
  RETURN ARRAY(
    SELECT v.key FROM child_name_keys v
     WHERE v.partnership_id = lantern_partnership() AND dmetaphone(v.key) = dmetaphone(p_word)
     ORDER BY v.children DESC, v.key LIMIT 50);
END $$;
REVOKE ALL ON FUNCTION lantern_name_metaphone_candidates(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_name_metaphone_candidates(text) TO lantern_app;
