-- Near-duplicate search scored in SQL (src/features/children/search.ts), on a server and in PGlite
-- alike (PGlite loads both extensions: src/db/database.ts). Both are trusted extensions: the schema
-- owner creates them without being a superuser, and their functions are executable by everyone,
-- lantern_app included.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;

-- Edit distance between two name keys (lantern_name_key), capped at 3; levenshtein refuses more
-- than 255 characters, and names that long are simply far apart.
CREATE FUNCTION lantern_name_distance(a text, b text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN length(a) > 255 OR length(b) > 255 THEN 3 ELSE least(levenshtein_less_equal(a, b, 3), 3) END
$$;

-- Two name keys are alike when within 1 edit (either is 4 letters or fewer) or 2 (longer). A
-- transposition is 2 edits: Jnoes is Jones, Smtih is Smith.
CREATE FUNCTION lantern_names_alike(a text, b text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN a = '' OR b = '' THEN false
              ELSE lantern_name_distance(a, b) <= CASE WHEN least(length(a), length(b)) <= 4 THEN 1 ELSE 2 END END
$$;

-- Given names are also alike when they share their first four letters (Kayleigh and Kayley,
-- Alexandra and Alex), which edit distance alone misses.
CREATE FUNCTION lantern_given_names_alike(a text, b text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN length(a) >= 4 AND length(b) >= 4 AND left(a, 4) = left(b, 4) THEN true ELSE lantern_names_alike(a, b) END
$$;

-- The name keys of each partnership's children (given and family alike), with how many children
-- carry each: the vocabulary a search finds misspellings in. Under row-level security PostgreSQL
-- uses a condition in an index only if its operator is leakproof, and pg_trgm's are not, so a
-- trigram search of `children` itself would read every child. A few thousand keys searched by a
-- trigram index, then children fetched by key equality (leakproof, indexed), is fast. The request
-- role cannot read this table; lantern_name_candidates reads it for the acting partnership only,
-- and gives name keys, never who carries them.
CREATE TABLE child_name_keys (
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  key text COLLATE "C" NOT NULL,
  children integer NOT NULL,
  PRIMARY KEY (partnership_id, key)
);
ALTER TABLE child_name_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE child_name_keys FORCE ROW LEVEL SECURITY;
-- fastupdate off: a pending list would be read in full by every search until the next vacuum.
CREATE INDEX child_name_keys_trgm_idx ON child_name_keys USING gin (key gin_trgm_ops) WITH (fastupdate = off);
CREATE INDEX child_name_keys_unused_idx ON child_name_keys (partnership_id) WHERE children <= 0;

-- Kept by statement triggers on children (one statement per seeding batch, not one per child); an
-- update counts only the rows whose keys changed. Security definer: the request role that records
-- a child cannot write the vocabulary itself. A count that reaches 0 is removed, so no name stays
-- behind its last child.
CREATE FUNCTION lantern_count_name_keys() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO child_name_keys (partnership_id, key, children)
    SELECT n.partnership_id, k.key, count(*)
      FROM new_rows n CROSS JOIN LATERAL (VALUES (n.given_key), (n.family_key)) k (key)
     WHERE k.key <> '' GROUP BY n.partnership_id, k.key
    ON CONFLICT (partnership_id, key) DO UPDATE SET children = child_name_keys.children + excluded.children;
    RETURN NULL;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE child_name_keys v SET children = v.children - d.n
      FROM (SELECT o.partnership_id, k.key, count(*)::int AS n
              FROM old_rows o CROSS JOIN LATERAL (VALUES (o.given_key), (o.family_key)) k (key)
             WHERE k.key <> '' GROUP BY o.partnership_id, k.key) d
     WHERE v.partnership_id = d.partnership_id AND v.key = d.key;
  ELSE
    INSERT INTO child_name_keys (partnership_id, key, children)
    SELECT k.partnership_id, k.key, sum(k.n)
      FROM old_rows o JOIN new_rows n ON n.id = o.id
      CROSS JOIN LATERAL (VALUES (n.partnership_id, n.given_key, 1), (n.partnership_id, n.family_key, 1),
                                 (o.partnership_id, o.given_key, -1), (o.partnership_id, o.family_key, -1)) k (partnership_id, key, n)
     WHERE (o.partnership_id, o.given_key, o.family_key) IS DISTINCT FROM (n.partnership_id, n.given_key, n.family_key) AND k.key <> ''
     GROUP BY k.partnership_id, k.key HAVING sum(k.n) <> 0
    ON CONFLICT (partnership_id, key) DO UPDATE SET children = child_name_keys.children + excluded.children;
  END IF;
  DELETE FROM child_name_keys WHERE children <= 0;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION lantern_count_name_keys() FROM PUBLIC;
CREATE TRIGGER children_name_keys_insert AFTER INSERT ON children REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lantern_count_name_keys();
CREATE TRIGGER children_name_keys_update AFTER UPDATE ON children REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lantern_count_name_keys();
CREATE TRIGGER children_name_keys_delete AFTER DELETE ON children REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lantern_count_name_keys();
INSERT INTO child_name_keys (partnership_id, key, children)
SELECT c.partnership_id, k.key, count(*)
  FROM children c CROSS JOIN LATERAL (VALUES (c.given_key), (c.family_key)) k (key)
 WHERE k.key <> '' GROUP BY c.partnership_id, k.key;

-- The name keys of the acting partnership a search for a word should look at: the keys alike by
-- lantern_given_names_alike (edit distance, or the first four letters; found by trigram similarity
-- at a threshold low enough to keep transpositions of short names: Smtih and Smith share 1 trigram
-- in 5) and the first ten keys that start with the word (a name being typed). Keys only: who carries
-- them is for the search to find, under row-level security. PL/pgSQL keeps the plan per session.
CREATE FUNCTION lantern_name_candidates(p_word text) RETURNS text[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public SET pg_trgm.similarity_threshold = 0.2 AS $$
BEGIN
  IF coalesce(p_word, '') = '' THEN
    RETURN '{}';
  END IF;
  RETURN ARRAY(
    SELECT v.key FROM child_name_keys v
     WHERE v.partnership_id = lantern_partnership() AND v.key % p_word AND lantern_given_names_alike(v.key, p_word)
    UNION
    (SELECT v.key FROM child_name_keys v
      WHERE v.partnership_id = lantern_partnership()
        AND v.key >= p_word AND v.key < left(p_word, -1) || chr(ascii(right(p_word, 1)) + 1)
      ORDER BY v.key LIMIT 10));
END $$;
REVOKE ALL ON FUNCTION lantern_name_candidates(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_name_candidates(text) TO lantern_app;

-- Fresh statistics for the vocabulary just filled.
ANALYZE child_name_keys;
