-- Stored problem-profile figures (issue 13 "incremental or materialised aggregates where needed"):
-- the counts-only functions of 0410 read every child, concern and episode of the partnership, about a
-- second at 200,000 children (docs/PERFORMANCE.md). Their result for one partnership and one period
-- is kept here, with the moment it was computed, and reused while it is younger than the configured
-- age (LANTERN_FIGURES_MAX_AGE_SECONDS): the page says "figures as at" that moment. The rows are the
-- functions' own counts (per measure, breakdown, category, locality), never a row about a child.
-- Who may read or write them is who may call the functions: the profile readers of the partnership
-- (lantern_profile_reader, 0430), as a restrictive policy beside the partnership policy.
CREATE TABLE profile_snapshots (
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  -- 'figures' (one period), 'trend' (eight quarters from a first quarter), 'themes' (the pairs at a date),
  -- 'neighbours' (the compared partnerships' headline counts: who is compared is asked live, 0450).
  kind text NOT NULL CHECK (kind IN ('figures', 'trend', 'themes', 'neighbours')),
  -- The function's arguments, e.g. '2026-07-01/2026-10-01' or '2024-10-01/8'.
  key text NOT NULL CHECK (length(key) BETWEEN 1 AND 40),
  computed_at timestamptz NOT NULL,
  rows jsonb NOT NULL CHECK (jsonb_typeof(rows) = 'array'),
  PRIMARY KEY (partnership_id, kind, key)
);
SELECT lantern_partnership_table('profile_snapshots', 'SELECT, INSERT, UPDATE (computed_at, rows)');
CREATE POLICY profile_snapshots_reader ON profile_snapshots AS RESTRICTIVE
  USING ((SELECT lantern_profile_reader())) WITH CHECK ((SELECT lantern_profile_reader()));
