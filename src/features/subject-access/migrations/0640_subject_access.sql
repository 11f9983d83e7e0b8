-- Subject access (issue 16 §3, docs/DECISIONS.md 53): a child or a person of concern (or someone for them)
-- asks for everything held about them. The data protection officer logs the request (its statutory due date
-- is one calendar month after receipt), collects the subject's rows from every table that names them
-- (lantern_merge_columns(), the same list merges and disposal read), decides for each piece of third-party
-- information whether to redact or release it, and releases a ZIP of JSON and an accessible PDF.
--
-- Who: the partnership's data protection officers only (lantern_sar_may(); the policy
-- 'subject-access.manage' of src/authz/policy.ts says the same). They cannot read case work under row-level
-- security: the subject's rows are read by lantern_sar_collect, a SECURITY DEFINER function that answers
-- only for the one subject of an open request of the acting partnership.

CREATE FUNCTION lantern_sar_may() RETURNS boolean LANGUAGE sql STABLE SET search_path = public AS $$
  SELECT lantern_partnership() IS NOT NULL AND lantern_user() IS NOT NULL AND lantern_actor_roles() && ARRAY['dpo']::text[]
$$;

-- The ICO's month, for every data subject's request (subject access here; rectification and the other
-- rights, 0645): the same date next month, or the last day of next month when it has no such date
-- (31 January → 28 or 29 February). PostgreSQL's date + interval '1 month' is exactly that.
CREATE FUNCTION lantern_statutory_due_on(p_received date) RETURNS date LANGUAGE sql IMMUTABLE AS $$
  SELECT (p_received + interval '1 month')::date
$$;

CREATE TABLE subject_access_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  subject_kind text NOT NULL CHECK (subject_kind IN ('child', 'person')),
  -- The child or person of concern (no foreign key: either table; checked on insert, and listed in
  -- lantern_merge_columns() so a merge, a disposal and a subject access export find it).
  subject_id uuid NOT NULL,
  -- The subject's name and reference when logged, for the register (the DPO reads no record).
  subject_label text NOT NULL DEFAULT '',
  requester_kind text NOT NULL CHECK (requester_kind IN ('subject', 'parent_carer', 'solicitor', 'other')),
  requester_name text NOT NULL CHECK (length(requester_name) BETWEEN 1 AND 200),
  received_on date NOT NULL,
  due_on date NOT NULL,
  language text NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'cy')),
  status text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'in_preparation', 'ready_for_release', 'released', 'withdrawn')),
  created_by uuid NOT NULL REFERENCES users (id),
  created_by_name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid REFERENCES users (id),
  updated_by_name text,
  updated_at timestamptz,
  released_at timestamptz,
  -- The ZIP as released (kept, so what was disclosed can be shown again exactly) and what it held.
  release_zip bytea,
  release_summary jsonb,
  CHECK (due_on = lantern_statutory_due_on(received_on)),
  CHECK ((status = 'released') = (released_at IS NOT NULL AND release_zip IS NOT NULL)),
  UNIQUE (partnership_id, id)
);
CREATE INDEX subject_access_requests_due_idx ON subject_access_requests (partnership_id, due_on);
SELECT lantern_rls_table('subject_access_requests',
  'SELECT, INSERT, UPDATE (status, updated_by, updated_by_name, updated_at, released_at, release_zip, release_summary)');
CREATE POLICY subject_access_requests_dpo ON subject_access_requests
  USING (partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_sar_may()))
  WITH CHECK (partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_sar_may()));

-- On insert: the subject is a record of the partnership (else a foreign key violation), and its label is kept.
CREATE FUNCTION lantern_sar_request_insert() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  label text;
BEGIN
  IF NEW.subject_kind = 'child' THEN
    SELECT concat_ws(' ', c.given_name, c.family_name) || ' (' || c.reference || ')' INTO label
      FROM children c WHERE c.id = NEW.subject_id AND c.partnership_id = NEW.partnership_id AND c.merged_into_id IS NULL;
  ELSE
    SELECT concat_ws(' ', p.given_name, p.family_name) INTO label
      FROM persons_of_concern p WHERE p.id = NEW.subject_id AND p.partnership_id = NEW.partnership_id AND p.merged_into_id IS NULL;
  END IF;
  IF label IS NULL THEN
    RAISE EXCEPTION 'lantern: no such subject' USING ERRCODE = 'foreign_key_violation';
  END IF;
  NEW.subject_label := label;
  RETURN NEW;
END
$$;
CREATE TRIGGER subject_access_requests_insert BEFORE INSERT ON subject_access_requests FOR EACH ROW EXECUTE FUNCTION lantern_sar_request_insert();

-- A released or withdrawn request is finished: nothing about it changes.
CREATE FUNCTION lantern_sar_request_finished() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status IN ('released', 'withdrawn') THEN
    RAISE EXCEPTION 'lantern: the subject access request is finished' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER subject_access_requests_finished BEFORE UPDATE ON subject_access_requests FOR EACH ROW EXECUTE FUNCTION lantern_sar_request_finished();

-- The DPO's decision on one flagged piece of third-party information ("table:row:field").
CREATE TABLE subject_access_redactions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  request_id uuid NOT NULL,
  item_key text NOT NULL CHECK (length(item_key) BETWEEN 1 AND 300),
  decision text NOT NULL CHECK (decision IN ('redact', 'release')),
  decided_by uuid NOT NULL REFERENCES users (id),
  decided_by_name text NOT NULL,
  decided_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partnership_id, request_id) REFERENCES subject_access_requests (partnership_id, id),
  UNIQUE (request_id, item_key)
);
SELECT lantern_rls_table('subject_access_redactions', 'SELECT, INSERT, UPDATE (decision, decided_by, decided_by_name, decided_at)');
CREATE POLICY subject_access_redactions_dpo ON subject_access_redactions
  USING (partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_sar_may()))
  WITH CHECK (partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_sar_may()) AND decided_by = (SELECT lantern_user()));

-- ---- Collection -------------------------------------------------------------------------------------

-- Every row naming the subject (or a record merged into it): each table and column of lantern_merge_columns()
-- for the kind (a kind column narrows it), the subject's own row, and the audit events about any of these rows
-- (less those of the work on this very request, p_request, which goes on while the DPO prepares it).
-- Not granted: lantern_sar_collect below answers for a request.
CREATE FUNCTION lantern_sar_rows(p_partnership uuid, p_kind text, p_id uuid, p_request uuid) RETURNS TABLE (table_name text, row_data jsonb)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
DECLARE
  col record;
  ids uuid[];
  has_partnership boolean;
  part jsonb[];
  tbls text[] := '{}';
  rws jsonb[] := '{}';
  row_ids text[];
BEGIN
  IF p_kind = 'child' THEN
    SELECT array_agg(c.id) INTO ids FROM children c WHERE c.partnership_id = p_partnership AND (c.id = p_id OR c.merged_into_id = p_id);
    SELECT coalesce(array_agg(to_jsonb(c)), '{}') INTO part FROM children c WHERE c.id = p_id AND c.partnership_id = p_partnership;
    tbls := tbls || array_fill('children'::text, ARRAY[cardinality(part)]);
  ELSE
    SELECT array_agg(p.id) INTO ids FROM persons_of_concern p WHERE p.partnership_id = p_partnership AND (p.id = p_id OR p.merged_into_id = p_id);
    SELECT coalesce(array_agg(to_jsonb(p)), '{}') INTO part FROM persons_of_concern p WHERE p.id = p_id AND p.partnership_id = p_partnership;
    tbls := tbls || array_fill('persons_of_concern'::text, ARRAY[cardinality(part)]);
  END IF;
  IF ids IS NULL THEN
    RETURN;
  END IF;
  rws := rws || part;
  FOR col IN SELECT DISTINCT m.table_name AS tbl, m.column_name AS colname, m.kind_column, m.kind_value FROM lantern_merge_columns() m
              WHERE m.kind = p_kind AND (m.kind_column IS NULL OR m.kind_column <> m.column_name) ORDER BY 1, 2 LOOP
    SELECT EXISTS (SELECT 1 FROM information_schema.columns i WHERE i.table_schema = 'public' AND i.table_name = col.tbl AND i.column_name = 'partnership_id')
      INTO has_partnership;
    -- A released export kept on a request is not copied into the next one.
    -- The request being answered is not part of its own answer (earlier requests are).
    EXECUTE format('SELECT coalesce(array_agg(to_jsonb(t) - ''release_zip''), ''{}'') FROM %I t WHERE t.%I = ANY ($1)%s%s%s',
                   col.tbl, col.colname,
                   CASE WHEN has_partnership THEN ' AND t.partnership_id = $2' ELSE '' END,
                   CASE WHEN col.kind_column IS NOT NULL THEN format(' AND t.%I = %L', col.kind_column, col.kind_value) ELSE '' END,
                   CASE WHEN col.tbl = 'subject_access_requests' THEN ' AND t.id <> $3' ELSE '' END)
      INTO part USING ids, p_partnership, p_request;
    tbls := tbls || array_fill(col.tbl::text, ARRAY[cardinality(part)]);
    rws := rws || part;
  END LOOP;
  SELECT coalesce(array_agg(DISTINCT r->>'id') FILTER (WHERE r ? 'id'), '{}') || ARRAY(SELECT unnest(ids)::text) INTO row_ids FROM unnest(rws) r;
  SELECT coalesce(array_agg(to_jsonb(a) - 'prev_hash' - 'hash' ORDER BY a.id), '{}') INTO part FROM audit_events a
   WHERE a.partnership_id = p_partnership AND a.record_id = ANY (row_ids)
     AND NOT (a.action LIKE 'subject\_access.%' AND a.details->>'request' = p_request::text);
  tbls := tbls || array_fill('audit_events'::text, ARRAY[cardinality(part)]);
  rws := rws || part;
  RETURN QUERY SELECT DISTINCT ON (x.t, x.r) x.t, x.r FROM unnest(tbls, rws) x (t, r) ORDER BY x.t, x.r;
END
$$;
REVOKE ALL ON FUNCTION lantern_sar_rows(uuid, text, uuid, uuid) FROM PUBLIC;

-- What the DPO's export reads: the subject's rows, and the other children and persons of concern those
-- rows name by id (their names, to find them in free text), for one open request of the acting partnership.
CREATE FUNCTION lantern_sar_collect(p_request uuid) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
DECLARE
  req subject_access_requests;
  result jsonb;
BEGIN
  IF NOT lantern_sar_may() THEN
    RAISE EXCEPTION 'lantern: not a data protection officer' USING ERRCODE = 'insufficient_privilege';
  END IF;
  SELECT * INTO req FROM subject_access_requests r
   WHERE r.id = p_request AND r.partnership_id = lantern_partnership() AND r.status IN ('received', 'in_preparation', 'ready_for_release');
  IF NOT FOUND THEN
    RAISE EXCEPTION 'lantern: no such open subject access request' USING ERRCODE = 'no_data_found';
  END IF;
  WITH r AS MATERIALIZED (SELECT * FROM lantern_sar_rows(req.partnership_id, req.subject_kind, req.subject_id, req.id)),
  vals AS (
    SELECT e.value #>> '{}' AS v FROM r, jsonb_each(r.row_data) e WHERE jsonb_typeof(e.value) = 'string'
    UNION
    SELECT a #>> '{}' FROM r, jsonb_each(r.row_data) e,
           jsonb_array_elements(CASE WHEN jsonb_typeof(e.value) = 'array' THEN e.value ELSE '[]'::jsonb END) a WHERE jsonb_typeof(a) = 'string'),
  ids AS (SELECT DISTINCT v::uuid AS id FROM vals WHERE v ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'),
  found AS (
    SELECT 'child'::text AS kind, c.id, c.given_name, c.family_name, c.aliases FROM children c JOIN ids ON ids.id = c.id
     WHERE c.partnership_id = req.partnership_id AND NOT (req.subject_kind = 'child' AND (c.id = req.subject_id OR c.merged_into_id IS NOT DISTINCT FROM req.subject_id))
    UNION ALL
    SELECT 'person', p.id, p.given_name, p.family_name, p.aliases FROM persons_of_concern p JOIN ids ON ids.id = p.id
     WHERE p.partnership_id = req.partnership_id AND NOT (req.subject_kind = 'person' AND (p.id = req.subject_id OR p.merged_into_id IS NOT DISTINCT FROM req.subject_id)))
  SELECT jsonb_build_object(
           'rows', (SELECT coalesce(jsonb_agg(jsonb_build_object('table', r.table_name, 'row', r.row_data) ORDER BY r.table_name, r.row_data::text), '[]') FROM r),
           'thirdParties', (SELECT coalesce(jsonb_agg(jsonb_build_object('kind', f.kind, 'id', f.id, 'givenName', f.given_name, 'familyName', f.family_name,
                                                                         'aliases', to_jsonb(f.aliases)) ORDER BY f.kind, f.id), '[]') FROM found f))
    INTO result;
  RETURN result;
END
$$;
REVOKE ALL ON FUNCTION lantern_sar_collect(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_sar_collect(uuid) TO lantern_app;

-- ---- The list of what refers to a child or a person --------------------------------------------------

-- The register names its subject by kind and id: a merge leaves the request alone (it was made about the
-- record it names), a disposal and a later subject access export find it.
CREATE OR REPLACE FUNCTION lantern_merge_columns()
RETURNS TABLE (kind text, table_name text, column_name text, kind_column text, kind_value text, handling text)
LANGUAGE sql IMMUTABLE AS $$
  VALUES
    ('child', 'child_addresses', 'child_id', NULL, NULL, 'move'),
    ('child', 'child_involvements', 'child_id', NULL, NULL, 'move'),
    ('child', 'child_status_events', 'child_id', NULL, NULL, 'move'),
    ('child', 'concerns', 'child_id', NULL, NULL, 'move'),
    ('child', 'child_partnership_shares', 'child_id', NULL, NULL, 'move'),
    ('child', 'restriction_changes', 'child_id', NULL, NULL, 'move'),
    ('child', 'child_flags', 'child_id', NULL, NULL, 'move'),
    ('child', 'child_flag_changes', 'child_id', NULL, NULL, 'move'),
    ('child', 'risk_assessments', 'child_id', NULL, NULL, 'move'),
    ('child', 'missing_episodes', 'child_id', NULL, NULL, 'move'),
    ('child', 'return_interviews', 'child_id', NULL, NULL, 'move'),
    ('child', 'strategy_meetings', 'child_id', NULL, NULL, 'move'),
    ('child', 'plan_actions', 'child_id', NULL, NULL, 'move'),
    ('child', 'case_notes', 'child_id', NULL, NULL, 'move'),
    ('child', 'service_referrals', 'child_id', NULL, NULL, 'move'),
    ('child', 'child_risk_carried_over', 'child_id', NULL, NULL, 'move'),
    ('child', 'intel_disruption_children', 'linked_child_id', NULL, NULL, 'move'),
    ('child', 'intel_links', 'from_id', 'from_kind', 'child', 'move'),
    ('child', 'intel_links', 'to_id', 'to_kind', 'child', 'move'),
    ('child', 'intel_event_links', 'entity_id', 'entity_kind', 'child', 'move'),
    ('child', 'intel_report_links', 'entity_id', 'entity_kind', 'child', 'move'),
    ('child', 'mace_agenda_items', 'entity_id', 'entity_kind', 'child', 'move'),
    ('child', 'record_shares', 'record_id', 'record_type', 'child', 'move'),
    ('child', 'break_glass_grants', 'child_id', NULL, NULL, 'keep'),
    ('child', 'children', 'merged_into_id', NULL, NULL, 'keep'),
    ('child', 'risk_assessment_current', 'child_id', NULL, NULL, 'derived'),
    ('child', 'strategy_meeting_current', 'child_id', NULL, NULL, 'derived'),
    ('person', 'intel_disruptions', 'target_person_id', NULL, NULL, 'move'),
    ('person', 'intel_links', 'from_id', 'from_kind', 'person', 'move'),
    ('person', 'intel_links', 'to_id', 'to_kind', 'person', 'move'),
    ('person', 'intel_event_links', 'entity_id', 'entity_kind', 'person', 'move'),
    ('person', 'intel_report_links', 'entity_id', 'entity_kind', 'person', 'move'),
    ('person', 'intel_shares', 'entity_id', 'entity_kind', 'person', 'move'),
    ('person', 'mace_agenda_items', 'entity_id', 'entity_kind', 'person', 'move'),
    ('person', 'persons_of_concern', 'merged_into_id', NULL, NULL, 'keep'),
    ('child', 'case_audit_sample', 'child_id', NULL, NULL, 'none'),
    ('child', 'linkage_asks', 'child_id', NULL, NULL, 'none'),
    ('child', 'linkage_encodings', 'child_id', NULL, NULL, 'none'),
    ('child', 'duplicate_pairs', 'left_id', 'record_kind', 'child', 'none'),
    ('child', 'duplicate_pairs', 'right_id', 'record_kind', 'child', 'none'),
    ('person', 'duplicate_pairs', 'left_id', 'record_kind', 'person', 'none'),
    ('person', 'duplicate_pairs', 'right_id', 'record_kind', 'person', 'none'),
    ('child', 'linkage_parameters', 'record_kind', 'record_kind', 'child', 'none'),
    ('person', 'linkage_parameters', 'record_kind', 'record_kind', 'person', 'none'),
    ('child', 'linkage_runs', 'record_kind', 'record_kind', 'child', 'none'),
    ('person', 'linkage_runs', 'record_kind', 'record_kind', 'person', 'none'),
    -- A subject access request about the record (migration 0640): the request as it was made.
    ('child', 'subject_access_requests', 'subject_id', 'subject_kind', 'child', 'none'),
    ('person', 'subject_access_requests', 'subject_id', 'subject_kind', 'person', 'none')
$$;
