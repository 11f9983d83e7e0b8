-- Multi-agency access from the child's plan (issue 10 §2). An agency that attends a child's strategy
-- meeting or discussion, or owns an action of the child's plan, gets the child's record shared with
-- it: the meeting is the decision to share (Children Act 1989 s.47 strategy discussion, under
-- Working Together to Safeguard Children 2023 in England and the Wales Safeguarding Procedures in
-- Wales). The access is an ordinary row of record_shares, so the children policy (0104) enforces it
-- like a share made by hand, the sharing panel lists it and the access log shows it; it ends when
-- the plan closes, which in Lantern is when the child's case is closed.
--
-- Why triggers and not the service: meetings and actions are written by several paths (recording
-- them, correcting them in edits.ts, the demo and benchmark seeds, the JSON API as it grows), and
-- closing is records.ts's. A rule kept in each would drift; here it holds for every path, in the
-- same transaction as the write that caused it, with its audit row (lantern_audit takes the actor
-- from the request's context; the seed, which has none, writes the share without one).

-- Where an automatic share came from. NULL: shared by hand (sharing.ts), which the plan closing
-- never ends. Sharing by hand an agency that already has automatic access makes the share manual.
ALTER TABLE record_shares
  ADD COLUMN automatic_source text CHECK (automatic_source IN ('strategy_meeting', 'plan_action')),
  ADD COLUMN source_meeting_id uuid REFERENCES strategy_meetings (id),
  ADD COLUMN source_action_id uuid REFERENCES plan_actions (id),
  ADD CONSTRAINT record_shares_automatic_source CHECK (
    (automatic_source IS NULL AND source_meeting_id IS NULL AND source_action_id IS NULL)
    OR (automatic_source = 'strategy_meeting' AND source_meeting_id IS NOT NULL AND source_action_id IS NULL)
    OR (automatic_source = 'plan_action' AND source_action_id IS NOT NULL));

-- Only these triggers make an automatic share: a request may make manual shares (its own rules,
-- 0117) and stop automatic ones, never pass a share off as the plan's.
CREATE POLICY record_shares_automatic_insert ON record_shares AS RESTRICTIVE FOR INSERT TO lantern_app
  WITH CHECK (automatic_source IS NULL);
CREATE POLICY record_shares_automatic_update ON record_shares AS RESTRICTIVE FOR UPDATE TO lantern_app
  USING (true) WITH CHECK (automatic_source IS NULL OR revoked_at IS NOT NULL);

-- The lawful basis recorded on an automatic share, in the partnership's nation's words.
CREATE FUNCTION lantern_plan_share_basis(p_partnership uuid) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT 'Children Act 1989 s.47 strategy discussion; '
         || CASE WHEN p.nation = 'wales' THEN 'Wales Safeguarding Procedures' ELSE 'Working Together to Safeguard Children 2023' END
         || ': information shared for safeguarding with the agencies in the child''s plan. UK GDPR Art. 6(1)(e) and 9(2)(g); DPA 2018 Sch. 1 para. 18'
  FROM partnerships p WHERE p.id = p_partnership
$$;
REVOKE ALL ON FUNCTION lantern_plan_share_basis(uuid) FROM PUBLIC;

-- Whether this transaction has an acting context (a request, the CLI or a test), so an audit row can be written.
CREATE FUNCTION lantern_has_context() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT EXISTS (SELECT 1 FROM lantern_request_context c
                  WHERE c.backend_pid = pg_backend_pid() AND c.nonce = nullif(current_setting('lantern.ctx', true), '')::uuid)
$$;
REVOKE ALL ON FUNCTION lantern_has_context() FROM PUBLIC;

-- Shares the child with each candidate agency that does not already see it: not the owning agency,
-- not an agency with a live share (manual or automatic: never a second one), only agencies of the
-- child's partnership, only while the case is open. A stopped share with the agency is reopened (one
-- row per child and agency). One row per child and agency even when a statement names it twice.
CREATE FUNCTION lantern_grant_plan_access(p_candidates jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  audited boolean := lantern_has_context();
  granted record;
BEGIN
  FOR granted IN
    WITH candidate AS (
      SELECT DISTINCT ON (x.child_id, x.agency_id) x.child_id, x.agency_id, x.source, x.meeting_id, x.action_id
      FROM jsonb_to_recordset(p_candidates) AS x (child_id uuid, agency_id uuid, source text, meeting_id uuid, action_id uuid)
      ORDER BY x.child_id, x.agency_id, (x.source = 'strategy_meeting') DESC
    ), eligible AS (
      SELECT c.partnership_id, k.* FROM candidate k
      JOIN children c ON c.id = k.child_id AND c.status = 'open' AND c.owning_agency_id <> k.agency_id
      JOIN agencies ag ON ag.id = k.agency_id AND ag.partnership_id = c.partnership_id
      WHERE NOT EXISTS (SELECT 1 FROM record_shares s WHERE s.record_type = 'child' AND s.record_id = k.child_id
                          AND s.agency_id = k.agency_id AND s.revoked_at IS NULL)
    )
    INSERT INTO record_shares AS s (partnership_id, record_type, record_id, agency_id, lawful_basis, shared_by, created_at,
                                    automatic_source, source_meeting_id, source_action_id)
    SELECT e.partnership_id, 'child', e.child_id, e.agency_id, lantern_plan_share_basis(e.partnership_id), lantern_user(), now(),
           e.source, e.meeting_id, CASE WHEN e.source = 'plan_action' THEN e.action_id END
    FROM eligible e
    ON CONFLICT (record_type, record_id, agency_id) DO UPDATE
      SET lawful_basis = EXCLUDED.lawful_basis, shared_by = EXCLUDED.shared_by, created_at = EXCLUDED.created_at,
          revoked_at = NULL, revoked_by = NULL, revoked_reason = NULL,
          automatic_source = EXCLUDED.automatic_source, source_meeting_id = EXCLUDED.source_meeting_id, source_action_id = EXCLUDED.source_action_id
      WHERE s.revoked_at IS NOT NULL
    RETURNING s.id, s.record_id, s.agency_id, s.lawful_basis, s.automatic_source, s.source_meeting_id, s.source_action_id
  LOOP
    IF audited THEN
      PERFORM lantern_audit('record.share', 'child', granted.record_id::text, granted.lawful_basis,
        jsonb_build_object('automatic', true, 'agencyId', granted.agency_id, 'shareId', granted.id, 'source', granted.automatic_source,
                           'meetingId', granted.source_meeting_id, 'actionId', granted.source_action_id),
        NULL, NULL, NULL);
    END IF;
  END LOOP;
END
$$;
REVOKE ALL ON FUNCTION lantern_grant_plan_access(jsonb) FROM PUBLIC;

-- Agencies attending a meeting as it is recorded, or added to it when it is corrected.
CREATE FUNCTION lantern_meeting_access() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  candidates jsonb;
BEGIN
  -- Each branch names only the transition tables its event has.
  IF TG_OP = 'INSERT' THEN
    SELECT jsonb_agg(jsonb_build_object('child_id', n.child_id, 'agency_id', a.agency, 'source', 'strategy_meeting', 'meeting_id', n.id))
      INTO candidates
      FROM new_meetings n CROSS JOIN LATERAL unnest(n.attending_agency_ids) AS a (agency);
  ELSE
    SELECT jsonb_agg(jsonb_build_object('child_id', n.child_id, 'agency_id', a.agency, 'source', 'strategy_meeting', 'meeting_id', n.id))
      INTO candidates
      FROM new_meetings n CROSS JOIN LATERAL unnest(n.attending_agency_ids) AS a (agency)
     WHERE NOT EXISTS (SELECT 1 FROM old_meetings o WHERE o.id = n.id AND o.child_id = n.child_id AND a.agency = ANY (o.attending_agency_ids));
  END IF;
  IF candidates IS NOT NULL THEN
    PERFORM lantern_grant_plan_access(candidates);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER strategy_meetings_access_insert AFTER INSERT ON strategy_meetings
  REFERENCING NEW TABLE AS new_meetings FOR EACH STATEMENT EXECUTE FUNCTION lantern_meeting_access();
CREATE TRIGGER strategy_meetings_access_update AFTER UPDATE ON strategy_meetings
  REFERENCING OLD TABLE AS old_meetings NEW TABLE AS new_meetings FOR EACH STATEMENT EXECUTE FUNCTION lantern_meeting_access();

-- The agency owning an action as it is recorded, or given the action when it is corrected.
CREATE FUNCTION lantern_action_access() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  candidates jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT jsonb_agg(jsonb_build_object('child_id', n.child_id, 'agency_id', n.agency_id, 'source', 'plan_action', 'meeting_id', n.meeting_id, 'action_id', n.id))
      INTO candidates
      FROM new_actions n;
  ELSE
    SELECT jsonb_agg(jsonb_build_object('child_id', n.child_id, 'agency_id', n.agency_id, 'source', 'plan_action', 'meeting_id', n.meeting_id, 'action_id', n.id))
      INTO candidates
      FROM new_actions n
     WHERE NOT EXISTS (SELECT 1 FROM old_actions o WHERE o.id = n.id AND o.child_id = n.child_id AND o.agency_id = n.agency_id);
  END IF;
  IF candidates IS NOT NULL THEN
    PERFORM lantern_grant_plan_access(candidates);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER plan_actions_access_insert AFTER INSERT ON plan_actions
  REFERENCING NEW TABLE AS new_actions FOR EACH STATEMENT EXECUTE FUNCTION lantern_action_access();
CREATE TRIGGER plan_actions_access_update AFTER UPDATE ON plan_actions
  REFERENCING OLD TABLE AS old_actions NEW TABLE AS new_actions FOR EACH STATEMENT EXECUTE FUNCTION lantern_action_access();

-- The plan closes with the case: the access it gave ends (shares made by hand stay).
CREATE FUNCTION lantern_plan_closed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  audited boolean := lantern_has_context();
  ended record;
BEGIN
  FOR ended IN
    UPDATE record_shares s
       SET revoked_at = now(), revoked_by = lantern_user(), revoked_reason = 'The child''s plan closed when the case was closed.'
     WHERE s.record_type = 'child' AND s.record_id = NEW.id AND s.automatic_source IS NOT NULL AND s.revoked_at IS NULL
    RETURNING s.id, s.agency_id, s.lawful_basis, s.automatic_source, s.revoked_reason
  LOOP
    IF audited THEN
      PERFORM lantern_audit('record.unshare', 'child', NEW.id::text, ended.revoked_reason,
        jsonb_build_object('automatic', true, 'kind', 'agency', 'shareId', ended.id, 'agencyId', ended.agency_id,
                           'lawfulBasis', ended.lawful_basis, 'source', ended.automatic_source),
        NULL, NULL, NULL);
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;
CREATE TRIGGER children_plan_closed AFTER UPDATE OF status ON children
  FOR EACH ROW WHEN (OLD.status = 'open' AND NEW.status = 'closed') EXECUTE FUNCTION lantern_plan_closed();

-- Meetings and actions already recorded: their agencies get the access they would have had.
SELECT lantern_grant_plan_access(coalesce((
  SELECT jsonb_agg(x) FROM (
    SELECT jsonb_build_object('child_id', m.child_id, 'agency_id', a.agency, 'source', 'strategy_meeting', 'meeting_id', m.id) AS x
      FROM strategy_meetings m CROSS JOIN LATERAL unnest(m.attending_agency_ids) AS a (agency)
    UNION ALL
    SELECT jsonb_build_object('child_id', p.child_id, 'agency_id', p.agency_id, 'source', 'plan_action', 'meeting_id', p.meeting_id, 'action_id', p.id)
      FROM plan_actions p) q), '[]'));

-- The other agency's worklists: open actions of an agency soonest first, and the meetings an agency attends.
CREATE INDEX plan_actions_agency_open_idx ON plan_actions (agency_id, due_on, id) WHERE done_at IS NULL;
CREATE INDEX strategy_meetings_attending_idx ON strategy_meetings USING gin (attending_agency_ids);
