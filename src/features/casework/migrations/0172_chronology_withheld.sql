-- The chronology's withheld entries (issue 10). A person who may read a child's record does not
-- always see every row about the child: an agency-scoped worker sees only the concerns their
-- agency raised or was asked to act on (concerns_agency, 0100), and only the data protection
-- officer reads the restrictions lifted (restriction_changes, 0116). The chronology must not drop
-- those rows silently, or a reader would take a partial history for the whole one, so it shows
-- each as "withheld": its date and type, nothing else.
--
-- Row-level security hides those rows from lantern_app entirely, so only a SECURITY DEFINER
-- function can say they exist. This one answers with the kind and the instant alone (no id, no
-- agency, no text, no person), and only
--   * for a child the actor may read (the children policies of 0104 and 0115, written out below:
--     a definer's statements are not filtered by them), in the acting partnership, and
--   * for the rows whose ids are not in p_visible, the ids the caller could read itself.
-- Which rows the actor may read is therefore decided by row-level security alone: the caller reads
-- the rows through the policies and passes their ids in the same statement; the function never
-- repeats a row's policy. Passing fewer ids gives stubs of rows the caller may read anyway, nothing
-- more. test/integration/chronology.test.ts checks the child test below against the policies for
-- every demo account and child.

CREATE FUNCTION lantern_chronology_withheld(p_child uuid, p_visible uuid[])
RETURNS TABLE (kind text, occurred_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  WITH child AS (
    SELECT c.id FROM children c
     WHERE c.id = p_child AND c.partnership_id = lantern_partnership()
       -- children_agency (0104): partnership-wide roles, the owning agency, or a live share with the actor's agency.
       AND (lantern_scope() = 'partnership'
            OR c.owning_agency_id = lantern_agency()
            OR EXISTS (SELECT 1 FROM record_shares s
                        WHERE s.record_type = 'child' AND s.record_id = c.id AND s.agency_id = lantern_agency() AND s.revoked_at IS NULL))
       -- children_restricted (0115): a restricted child only for its owning agency or an unexpired break-glass grant, never a token.
       AND (NOT c.restricted
            OR (lantern_actor_kind() IS DISTINCT FROM 'api_token'
                AND (c.owning_agency_id = lantern_agency()
                     OR EXISTS (SELECT 1 FROM break_glass_grants g WHERE g.child_id = c.id AND g.user_id = lantern_user() AND g.expires_at > now()))))
  ), hidden_concerns AS (
    SELECT q.received_at, q.decided_at FROM concerns q JOIN child ON child.id = q.child_id
     WHERE q.partnership_id = lantern_partnership() AND q.id <> ALL (coalesce(p_visible, '{}'))
  )
  SELECT 'concern', received_at FROM hidden_concerns
  UNION ALL
  SELECT 'triage', decided_at FROM hidden_concerns WHERE decided_at IS NOT NULL
  UNION ALL
  SELECT 'restriction', r.changed_at FROM restriction_changes r JOIN child ON child.id = r.child_id
   WHERE r.partnership_id = lantern_partnership() AND r.id <> ALL (coalesce(p_visible, '{}'))
$$;
REVOKE ALL ON FUNCTION lantern_chronology_withheld(uuid, uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_chronology_withheld(uuid, uuid[]) TO lantern_app;
