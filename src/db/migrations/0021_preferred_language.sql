-- A person's own choice of language, English or Welsh (issue 11): set by the language switch in the
-- header when signed in, read when a browser has no language cookie yet (src/web/language.ts), so the
-- choice follows them to another browser. Null: no choice made (the browser's Accept-Language decides).
ALTER TABLE users ADD COLUMN preferred_language text CHECK (preferred_language IN ('en', 'cy'));

GRANT SELECT (preferred_language) ON users TO lantern_app;

-- Only administrators may update users as lantern_app (users_admin_update), so a person sets their own
-- choice through this function, which changes that one column of the acting user's own row and nothing else.
CREATE FUNCTION lantern_set_preferred_language(p_language text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF lantern_user() IS NULL THEN
    RAISE EXCEPTION 'lantern: a language preference needs an acting user' USING ERRCODE = 'insufficient_privilege';
  END IF;
  UPDATE users SET preferred_language = p_language WHERE id = lantern_user();
END
$$;
REVOKE ALL ON FUNCTION lantern_set_preferred_language(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_set_preferred_language(text) TO lantern_app;
