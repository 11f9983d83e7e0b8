-- "Does the neighbour hold this child?" (issue 14 §3): each question states its purpose, and a person
-- may ask only so many a day. The count is of the person's own questions whatever children they may
-- still see (row-level security on linkage_asks would hide questions about children no longer theirs),
-- so it is read through a security-definer function that counts the acting user's rows only.
ALTER TABLE linkage_asks ADD COLUMN purpose text CHECK (purpose IN ('missing_in_area', 'moved_to_area', 'links_to_area', 'other'));

CREATE FUNCTION lantern_linkage_asks_by_me(p_since timestamptz) RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT count(*)::integer FROM linkage_asks
   WHERE partnership_id = lantern_partnership() AND asked_by = lantern_user() AND asked_at >= p_since
$$;
REVOKE ALL ON FUNCTION lantern_linkage_asks_by_me(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_linkage_asks_by_me(timestamptz) TO lantern_app;
