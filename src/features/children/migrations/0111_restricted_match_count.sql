-- Near-duplicate search runs under row-level security, so a restricted child held by another
-- agency (children_restricted) is invisible at triage and could be recorded a second time. This
-- says only how many such records of the acting partnership match strongly: the same family-name
-- key and date of birth (which takes in the same given and family keys), or the two names swapped.
-- No id, name or reference leaves it. Like lantern_child_restricted it counts only records the
-- actor could see but for the restriction, and not those they can already read (their agency's,
-- or opened with break-glass), which the search itself lists.
CREATE FUNCTION lantern_restricted_match_count(p_given text, p_family text, p_date_of_birth date) RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT count(*)::int FROM children c
  WHERE c.partnership_id = lantern_partnership() AND c.restricted
    AND c.date_of_birth = p_date_of_birth
    AND lantern_name_key(p_family) <> ''
    AND (c.family_key = lantern_name_key(p_family)
         OR (lantern_name_key(p_given) <> '' AND c.given_key = lantern_name_key(p_family) AND c.family_key = lantern_name_key(p_given)))
    AND c.owning_agency_id IS DISTINCT FROM lantern_agency()
    AND NOT EXISTS (SELECT 1 FROM break_glass_grants g WHERE g.child_id = c.id AND g.user_id = lantern_user() AND g.expires_at > now())
    AND lantern_agency_can_see('child', c.id, c.owning_agency_id)
$$;
REVOKE ALL ON FUNCTION lantern_restricted_match_count(text, text, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_restricted_match_count(text, text, date) TO lantern_app;
