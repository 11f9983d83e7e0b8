-- Record linkage (issue 14 §2): merging a duplicate child or person of concern into the record kept, and
-- undoing it. A merge re-points every dependent row of the merged-away record at the kept one, records
-- exactly which rows moved (table, primary key, column) and which could not (a unique rule or a check the
-- move would break: the same open flag on both, a link between the two), and sets merged_into_id on the
-- merged-away row, whose own fields stay as they were. An unmerge puts back exactly the rows it moved.
--
-- The tables and columns that point at a child or a person are one list, lantern_merge_columns(); the
-- test test/integration/record-merge.test.ts compares it with the catalogue (every foreign key to
-- children or persons_of_concern, every polymorphic kind column that allows 'child' or 'person'), so a
-- new table with a child or person reference fails the test until it is listed here.

CREATE TABLE record_merges (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  kind text NOT NULL CHECK (kind IN ('child', 'person')),
  kept_id uuid NOT NULL,
  merged_id uuid NOT NULL,
  merged_by uuid REFERENCES users (id),
  merged_by_name text NOT NULL,
  merged_at timestamptz NOT NULL DEFAULT now(),
  unmerged_by uuid REFERENCES users (id),
  unmerged_by_name text,
  unmerged_at timestamptz,
  -- [{"table", "id", "column"}]: the rows the merge re-pointed from merged_id to kept_id.
  moved jsonb NOT NULL DEFAULT '[]',
  -- [{"table", "id", "column", "reason"}]: the rows left with the merged-away record.
  left_behind jsonb NOT NULL DEFAULT '[]',
  -- The two rows as they were before (and the kept one as it was after) the merge, for the unmerge to
  -- restore what the merge's recalculations changed. Personal data: lantern_app is not granted it.
  snapshot jsonb NOT NULL DEFAULT '{}',
  CHECK (kept_id <> merged_id),
  CHECK ((unmerged_at IS NULL) = (unmerged_by_name IS NULL)),
  UNIQUE (partnership_id, id)
);
CREATE INDEX record_merges_kept_idx ON record_merges (partnership_id, kept_id, merged_at DESC);
CREATE INDEX record_merges_merged_idx ON record_merges (partnership_id, merged_id);

-- Written only by the two functions below; read with the kept record (a child's merge with the child,
-- as its policy decides; a person's with the person).
SELECT lantern_rls_table('record_merges',
  'SELECT (id, partnership_id, kind, kept_id, merged_id, merged_by, merged_by_name, merged_at, unmerged_by, unmerged_by_name, unmerged_at, moved, left_behind)');
CREATE POLICY record_merges_kept ON record_merges USING (
  partnership_id = (SELECT lantern_partnership())
  AND CASE kind WHEN 'child' THEN EXISTS (SELECT 1 FROM children c WHERE c.id = kept_id)
                ELSE EXISTS (SELECT 1 FROM persons_of_concern p WHERE p.id = kept_id) END);

-- Every column that refers to a child or a person of concern, and what a merge does with it:
--   move     re-pointed at the kept record (row by row; a row whose move breaks a rule is left behind)
--   keep     never moved, by design (the row stays with the record it was made for)
--   derived  recalculated from the moved rows (a table of "the current one" per child)
-- kind_column/kind_value: a polymorphic reference (intel_links.from_kind = 'child', …).
CREATE FUNCTION lantern_merge_columns()
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
    -- A break-glass grant opened one restricted record in an emergency: it is not widened to another.
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
    ('person', 'persons_of_concern', 'merged_into_id', NULL, NULL, 'keep')
$$;

-- The columns of children a recalculation may change and an unmerge puts back: all but its identity,
-- the generated keys, the merge itself, and the columns guarded by triggers of their own (restriction,
-- owning agency, current risk: the risk is recalculated instead).
CREATE FUNCTION lantern_merge_child_columns() RETURNS text[] LANGUAGE sql STABLE SET search_path = public AS $$
  SELECT array_agg(attname::text ORDER BY attnum) FROM pg_attribute
   WHERE attrelid = 'children'::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
     AND attname NOT IN ('id', 'partnership_id', 'merged_into_id', 'merged_at', 'restricted', 'restricted_reason', 'owning_agency_id',
                         'current_risk_level', 'current_risk_source', 'current_risk_source_id', 'current_risk_on')
$$;

-- The children's columns kept in step with their rows by statement triggers (flags, missing, agencies,
-- risk) and the "current" tables, recalculated for the children named: after rows moved between them, a
-- child left with no rows of a table is not in any trigger's transition table.
CREATE FUNCTION lantern_merge_refresh_children(p_children uuid[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  UPDATE children c SET
    looked_after = f.looked_after, placement = CASE WHEN f.looked_after THEN c.placement END,
    child_protection_plan = f.cpp, child_in_need = f.cin, youth_justice = f.yj, open_flags = f.kinds,
    education_status = CASE WHEN c.education_status = 'in_education' AND f.out_of_school THEN NULL ELSE c.education_status END,
    send = CASE WHEN f.send THEN c.send END
  FROM (SELECT k.child_id, coalesce(array_agg(o.kind ORDER BY o.kind) FILTER (WHERE o.kind IS NOT NULL), '{}') AS kinds,
               coalesce(bool_or(o.kind = 'looked_after'), false) AS looked_after, coalesce(bool_or(o.kind = 'child_protection_plan'), false) AS cpp,
               coalesce(bool_or(o.kind = 'child_in_need'), false) AS cin, coalesce(bool_or(o.kind = 'youth_justice'), false) AS yj,
               coalesce(bool_or(o.kind IN ('missing_education', 'elective_home_education')), false) AS out_of_school,
               coalesce(bool_or(o.kind = 'send'), false) AS send
          FROM unnest(p_children) k (child_id)
          LEFT JOIN child_flags o ON o.child_id = k.child_id AND o.ended_on IS NULL
         GROUP BY k.child_id) f
  WHERE c.id = f.child_id
    AND (c.looked_after, c.child_protection_plan, c.child_in_need, c.youth_justice, c.open_flags,
         coalesce(c.education_status = 'in_education' AND f.out_of_school, false), c.send IS NOT NULL AND NOT f.send)
        IS DISTINCT FROM (f.looked_after, f.cpp, f.cin, f.yj, f.kinds, false, false);
  UPDATE children c SET missing_until = m.until
    FROM (SELECT k.child_id, max(coalesce(e.ended_at, 'infinity'::timestamptz)) FILTER (WHERE e.id IS NOT NULL) AS until
            FROM unnest(p_children) k (child_id) LEFT JOIN missing_episodes e ON e.child_id = k.child_id
           GROUP BY k.child_id) m
   WHERE c.id = m.child_id AND c.missing_until IS DISTINCT FROM m.until;
  UPDATE children c SET agency_ids = a.ids
    FROM (SELECT ch.id AS child_id,
                 ARRAY(SELECT DISTINCT x FROM unnest(array_append(array_agg(i.agency_id) FILTER (WHERE i.agency_id IS NOT NULL), ch.owning_agency_id)) x
                        WHERE x IS NOT NULL ORDER BY x) AS ids
            FROM children ch LEFT JOIN child_involvements i ON i.child_id = ch.id AND i.ended_on IS NULL
           WHERE ch.id = ANY (p_children)
           GROUP BY ch.id, ch.owning_agency_id) a
   WHERE c.id = a.child_id AND c.agency_ids IS DISTINCT FROM a.ids;
  DELETE FROM risk_assessment_current WHERE child_id = ANY (p_children);
  INSERT INTO risk_assessment_current (child_id, partnership_id, assessment_id, assessed_on, created_at, review_due_on)
  SELECT DISTINCT ON (r.child_id) r.child_id, r.partnership_id, r.id, r.assessed_on, r.created_at, r.review_due_on
    FROM risk_assessments r WHERE r.child_id = ANY (p_children)
   ORDER BY r.child_id, r.assessed_on DESC, r.created_at DESC, r.id DESC;
  DELETE FROM strategy_meeting_current WHERE child_id = ANY (p_children);
  INSERT INTO strategy_meeting_current (child_id, partnership_id, meeting_id, held_on, next_review_on, risk_level)
  SELECT DISTINCT ON (m.child_id) m.child_id, m.partnership_id, m.id, m.held_on, m.next_review_on, m.risk_level
    FROM strategy_meetings m WHERE m.child_id = ANY (p_children)
   ORDER BY m.child_id, m.held_on DESC, m.created_at DESC;
  PERFORM lantern_child_risk_recompute(p_children);
END
$$;
REVOKE ALL ON FUNCTION lantern_merge_refresh_children(uuid[]) FROM PUBLIC;

-- The rows of the tables a merge moves that refer to a record now, as {table: {id: row}}: taken before and
-- after a merge, so that an unmerge can undo what triggers did to the kept record's rows while rows moved
-- (a strategy meeting moved to the kept child shares it with the meeting's agencies, migration 0170).
CREATE FUNCTION lantern_merge_rows_of(p_kind text, p_id uuid, p_partnership uuid) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
DECLARE
  col record;
  rows_of jsonb;
  result jsonb := '{}';
BEGIN
  FOR col IN SELECT * FROM lantern_merge_columns() c WHERE c.kind = p_kind AND c.handling = 'move' LOOP
    EXECUTE format('SELECT coalesce(jsonb_object_agg(t.id, to_jsonb(t)), ''{}'') FROM %I t WHERE %I = $1 AND partnership_id = $2 %s',
                   col.table_name, col.column_name,
                   CASE WHEN col.kind_column IS NULL THEN '' ELSE format('AND %I = %L', col.kind_column, col.kind_value) END)
      INTO rows_of USING p_id, p_partnership;
    result := jsonb_set(result, ARRAY[col.table_name], coalesce(result->col.table_name, '{}') || rows_of);
  END LOOP;
  RETURN result;
END
$$;
REVOKE ALL ON FUNCTION lantern_merge_rows_of(text, uuid, uuid) FROM PUBLIC;

-- Puts a row back as it was (every column but its id and generated ones), from its JSON.
CREATE FUNCTION lantern_merge_restore_row(p_table text, p_row jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  sets text;
BEGIN
  SELECT string_agg(format('%I = b.%I', attname, attname), ', ') INTO sets FROM pg_attribute
   WHERE attrelid = p_table::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' AND attname <> 'id';
  EXECUTE format('UPDATE %I t SET %s FROM jsonb_populate_record(NULL::%I, $1) b WHERE t.id = b.id', p_table, sets, p_table) USING p_row;
END
$$;
REVOKE ALL ON FUNCTION lantern_merge_restore_row(text, jsonb) FROM PUBLIC;

-- Merges p_merged into p_kept. The service has authorised the actor and read both records as the actor
-- (row-level security); here the database checks what it can: both records of the acting partnership,
-- neither already merged away. Returns the merge's id.
CREATE FUNCTION lantern_merge_records(p_kind text, p_kept uuid, p_merged uuid, p_actor_name text) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  partnership uuid := lantern_partnership();
  merge_id uuid;
  target_table text := CASE p_kind WHEN 'child' THEN 'children' WHEN 'person' THEN 'persons_of_concern' END;
  ok boolean;
  col record;
  row_id uuid;
  moved jsonb := '[]';
  left_behind jsonb := '[]';
  kept_before jsonb;
  merged_before jsonb;
  kept_rows_before jsonb;
BEGIN
  IF target_table IS NULL OR partnership IS NULL OR p_kept = p_merged THEN
    RAISE EXCEPTION 'lantern: not a merge' USING ERRCODE = 'check_violation';
  END IF;
  EXECUTE format('SELECT count(*) = 2 FROM (SELECT 1 FROM %I WHERE id IN ($1, $2) AND partnership_id = $3 AND merged_into_id IS NULL FOR UPDATE) x',
                 target_table) INTO ok USING p_kept, p_merged, partnership;
  IF NOT ok THEN
    RAISE EXCEPTION 'lantern: both records must be of the acting partnership and not merged away' USING ERRCODE = 'check_violation';
  END IF;
  EXECUTE format('SELECT to_jsonb(t) FROM %I t WHERE id = $1', target_table) INTO kept_before USING p_kept;
  EXECUTE format('SELECT to_jsonb(t) FROM %I t WHERE id = $1', target_table) INTO merged_before USING p_merged;
  kept_rows_before := lantern_merge_rows_of(p_kind, p_kept, partnership);

  FOR col IN SELECT * FROM lantern_merge_columns() c WHERE c.kind = p_kind AND c.handling IN ('move', 'keep') AND c.table_name <> target_table
             -- Shares first: a moved meeting or action then finds its agencies' shares already there.
             ORDER BY c.table_name = 'record_shares' DESC, c.table_name, c.column_name LOOP
    FOR row_id IN EXECUTE format('SELECT id FROM %I WHERE %I = $1 AND partnership_id = $2 %s ORDER BY id', col.table_name, col.column_name,
                                 CASE WHEN col.kind_column IS NULL THEN '' ELSE format('AND %I = %L', col.kind_column, col.kind_value) END)
                  USING p_merged, partnership LOOP
      IF col.handling = 'keep' THEN
        left_behind := left_behind || jsonb_build_object('table', col.table_name, 'id', row_id, 'column', col.column_name, 'reason', 'kept');
        CONTINUE;
      END IF;
      BEGIN
        EXECUTE format('UPDATE %I SET %I = $1 WHERE id = $2 AND %I = $3', col.table_name, col.column_name, col.column_name)
          USING p_kept, row_id, p_merged;
        moved := moved || jsonb_build_object('table', col.table_name, 'id', row_id, 'column', col.column_name);
      EXCEPTION WHEN unique_violation OR check_violation OR foreign_key_violation OR exclusion_violation THEN
        -- The same flag open on both, a link between the two records, …: the row stays where it was.
        left_behind := left_behind || jsonb_build_object('table', col.table_name, 'id', row_id, 'column', col.column_name, 'reason', SQLSTATE);
      END;
    END LOOP;
  END LOOP;

  EXECUTE format('UPDATE %I SET merged_into_id = $1, merged_at = now() WHERE id = $2', target_table) USING p_kept, p_merged;
  IF p_kind = 'child' THEN
    PERFORM lantern_merge_refresh_children(ARRAY[p_kept, p_merged]);
  END IF;
  INSERT INTO record_merges (partnership_id, kind, kept_id, merged_id, merged_by, merged_by_name, moved, left_behind, snapshot)
  VALUES (partnership, p_kind, p_kept, p_merged, lantern_user(), p_actor_name, moved, left_behind,
          jsonb_build_object('kept_before', kept_before, 'merged_before', merged_before, 'kept_rows_before', kept_rows_before))
  RETURNING id INTO merge_id;
  -- The kept row and its rows as the merge left them: an unmerge puts back only what nobody has changed since.
  EXECUTE format('UPDATE record_merges SET snapshot = snapshot || jsonb_build_object(''kept_after'', (SELECT to_jsonb(t) FROM %I t WHERE id = $1)) WHERE id = $2',
                 target_table) USING p_kept, merge_id;
  UPDATE record_merges SET snapshot = snapshot || jsonb_build_object('kept_rows_after', lantern_merge_rows_of(p_kind, p_kept, partnership))
   WHERE id = merge_id;
  RETURN merge_id;
END
$$;
REVOKE ALL ON FUNCTION lantern_merge_records(text, uuid, uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_merge_records(text, uuid, uuid, text) TO lantern_app;

-- Undoes a merge: the rows it moved that still point at the kept record go back, the merged-away record
-- is no longer merged, and the recalculated columns are put back. Refused when the kept record has since
-- been merged away itself (undo that merge first) or the merge is already undone.
CREATE FUNCTION lantern_unmerge_record(p_merge uuid, p_actor_name text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  m record_merges;
  target_table text;
  entry jsonb;
  still_kept boolean;
  cols text[];
  sets text;
  tbl text;
  after_rows jsonb;
  rid text;
  after_row jsonb;
  current_row jsonb;
BEGIN
  SELECT * INTO m FROM record_merges WHERE id = p_merge AND partnership_id = lantern_partnership() FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'lantern: no such merge' USING ERRCODE = 'no_data_found';
  END IF;
  IF m.unmerged_at IS NOT NULL THEN
    RAISE EXCEPTION 'lantern: the merge is already undone' USING ERRCODE = 'check_violation';
  END IF;
  target_table := CASE m.kind WHEN 'child' THEN 'children' ELSE 'persons_of_concern' END;
  EXECUTE format('SELECT merged_into_id IS NULL FROM %I WHERE id = $1 FOR UPDATE', target_table) INTO still_kept USING m.kept_id;
  IF NOT coalesce(still_kept, false) THEN
    RAISE EXCEPTION 'lantern: the kept record has been merged since' USING ERRCODE = 'check_violation';
  END IF;

  -- In the order of the merge: shares go back first, so a meeting or action going back finds them there.
  FOR entry IN SELECT e.value FROM jsonb_array_elements(m.moved) WITH ORDINALITY e (value, n) ORDER BY e.n LOOP
    EXECUTE format('UPDATE %I SET %I = $1 WHERE id = $2 AND %I = $3', entry->>'table', entry->>'column', entry->>'column')
      USING m.merged_id, (entry->>'id')::uuid, m.kept_id;
  END LOOP;
  -- What triggers made or changed on the kept record's rows during the merge, and nobody has changed
  -- since, is undone: a row made is deleted, a row changed is put back.
  FOR tbl, after_rows IN SELECT key, value FROM jsonb_each(coalesce(m.snapshot->'kept_rows_after', '{}')) LOOP
    FOR rid, after_row IN SELECT key, value FROM jsonb_each(after_rows) LOOP
      CONTINUE WHEN m.moved @> jsonb_build_array(jsonb_build_object('table', tbl, 'id', rid));
      CONTINUE WHEN m.snapshot->'kept_rows_before'->tbl->rid IS NOT DISTINCT FROM after_row;
      EXECUTE format('SELECT to_jsonb(t) FROM %I t WHERE id = $1', tbl) INTO current_row USING rid::uuid;
      CONTINUE WHEN current_row IS DISTINCT FROM after_row;
      IF m.snapshot->'kept_rows_before'->tbl ? rid THEN
        PERFORM lantern_merge_restore_row(tbl, m.snapshot->'kept_rows_before'->tbl->rid);
      ELSE
        EXECUTE format('DELETE FROM %I WHERE id = $1', tbl) USING rid::uuid;
      END IF;
    END LOOP;
  END LOOP;
  EXECUTE format('UPDATE %I SET merged_into_id = NULL, merged_at = NULL WHERE id = $1', target_table) USING m.merged_id;

  IF m.kind = 'child' THEN
    PERFORM lantern_merge_refresh_children(ARRAY[m.kept_id, m.merged_id]);
    cols := lantern_merge_child_columns();
    -- The merged-away record was frozen while merged: it is put back as it was.
    SELECT string_agg(format('%I = b.%I', c, c), ', ') INTO sets FROM unnest(cols) c;
    EXECUTE format('UPDATE children t SET %s FROM jsonb_populate_record(NULL::children, $1) b WHERE t.id = $2', sets)
      USING m.snapshot->'merged_before', m.merged_id;
    -- The kept record: a column is put back only where it is still what the merge left.
    SELECT string_agg(format('%I = CASE WHEN to_jsonb(t)->%L IS NOT DISTINCT FROM $2->%L THEN b.%I ELSE t.%I END', c, c, c, c, c), ', ')
      INTO sets FROM unnest(cols) c;
    EXECUTE format('UPDATE children t SET %s FROM jsonb_populate_record(NULL::children, $1) b WHERE t.id = $3', sets)
      USING m.snapshot->'kept_before', m.snapshot->'kept_after', m.kept_id;
  END IF;

  UPDATE record_merges SET unmerged_by = lantern_user(), unmerged_by_name = p_actor_name, unmerged_at = now()
   WHERE id = m.id;
END
$$;
REVOKE ALL ON FUNCTION lantern_unmerge_record(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_unmerge_record(uuid, text) TO lantern_app;
