-- Retention and disposal (issue 16 §3, docs/DECISIONS.md 51): a partnership's retention schedule per kind
-- of record, legal holds that stop disposal, and disposal runs proposed by one person and approved by a
-- second, which delete or anonymise what is due and leave a certificate in the audit chain.
--
-- Who: the partnership's administrators and data protection officers (lantern_retention_may(); the policy
-- 'retention.manage' of src/authz/policy.ts says the same). The records themselves are not theirs to read:
-- what is due is computed, and disposed, by the SECURITY DEFINER functions below, which give out record ids,
-- a child's case reference and dates, never a name.

-- Whether the acting person may manage retention in the acting partnership.
CREATE FUNCTION lantern_retention_may() RETURNS boolean LANGUAGE sql STABLE SET search_path = public AS $$
  SELECT lantern_partnership() IS NOT NULL AND lantern_user() IS NOT NULL
     AND lantern_actor_roles() && ARRAY['partnership_admin', 'dpo']::text[]
$$;

-- ---- Schedules ------------------------------------------------------------------------------------

-- One row per kind of record. A closed child's record (and every row of it: concerns, missing episodes,
-- return interviews, meetings, notes, …) is due at the later of the child's birthday at keep_until_age and
-- years_after_closure after it was closed; without a date of birth, keep_until_age years after closure.
-- A person of concern is due months_after_update after they were last changed (created, removed, or a
-- link made to them).
CREATE TABLE retention_schedules (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  record_type text NOT NULL CHECK (record_type IN ('closed_child', 'person_of_concern')),
  keep_until_age integer CHECK (keep_until_age BETWEEN 18 AND 100),
  years_after_closure integer CHECK (years_after_closure BETWEEN 0 AND 100),
  months_after_update integer CHECK (months_after_update BETWEEN 1 AND 1200),
  action text NOT NULL CHECK (action IN ('delete', 'anonymise')),
  updated_by uuid REFERENCES users (id),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (record_type <> 'closed_child' OR (keep_until_age IS NOT NULL AND years_after_closure IS NOT NULL)),
  CHECK (record_type <> 'person_of_concern' OR months_after_update IS NOT NULL),
  UNIQUE (partnership_id, record_type)
);
SELECT lantern_rls_table('retention_schedules', 'SELECT, UPDATE (keep_until_age, years_after_closure, months_after_update, action, updated_by, updated_at)');
CREATE POLICY retention_schedules_managers ON retention_schedules
  USING (partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_retention_may()))
  WITH CHECK (partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_retention_may()));

-- The defaults: closed children's records until the 25th birthday (and at least as long as closed),
-- persons of concern reviewed two years after their last change. Every partnership has both rows.
CREATE FUNCTION lantern_retention_defaults(p_partnership uuid) RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
  INSERT INTO retention_schedules (partnership_id, record_type, keep_until_age, years_after_closure, months_after_update, action)
  VALUES (p_partnership, 'closed_child', 25, 0, NULL, 'delete'), (p_partnership, 'person_of_concern', NULL, NULL, 24, 'delete')
  ON CONFLICT (partnership_id, record_type) DO NOTHING
$$;
REVOKE ALL ON FUNCTION lantern_retention_defaults(uuid) FROM PUBLIC;
SELECT lantern_retention_defaults(id) FROM partnerships;
CREATE FUNCTION lantern_retention_defaults_trigger() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  PERFORM lantern_retention_defaults(NEW.id);
  RETURN NULL;
END
$$;
CREATE TRIGGER partnerships_retention_defaults AFTER INSERT ON partnerships FOR EACH ROW EXECUTE FUNCTION lantern_retention_defaults_trigger();

-- ---- Legal holds ----------------------------------------------------------------------------------

-- A hold covers every record of a kind (record_type, or both kinds when NULL), or the records named
-- (record_ids), or the records created before a date; a record covered by any unreleased hold is never
-- proposed for disposal nor disposed. A hold is released, never deleted.
CREATE TABLE retention_holds (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  scope text NOT NULL CHECK (scope IN ('all', 'records', 'created_before')),
  record_type text CHECK (record_type IN ('closed_child', 'person_of_concern')),
  record_ids uuid[] NOT NULL DEFAULT '{}',
  created_before date,
  starts_on date NOT NULL,
  created_by uuid NOT NULL REFERENCES users (id),
  created_by_name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  released_at timestamptz,
  released_by uuid REFERENCES users (id),
  released_by_name text,
  CHECK ((scope = 'records') = (cardinality(record_ids) > 0)),
  CHECK ((scope = 'created_before') = (created_before IS NOT NULL)),
  CHECK ((released_at IS NULL) = (released_by IS NULL)),
  UNIQUE (partnership_id, id)
);
CREATE INDEX retention_holds_active_idx ON retention_holds (partnership_id) WHERE released_at IS NULL;
SELECT lantern_rls_table('retention_holds', 'SELECT, INSERT, UPDATE (released_at, released_by, released_by_name)');
CREATE POLICY retention_holds_read ON retention_holds FOR SELECT
  USING (partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_retention_may()));
CREATE POLICY retention_holds_place ON retention_holds FOR INSERT
  WITH CHECK (partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_retention_may()) AND created_by = (SELECT lantern_user())
              AND released_at IS NULL);
CREATE POLICY retention_holds_release ON retention_holds FOR UPDATE
  USING (partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_retention_may()))
  WITH CHECK (partnership_id = (SELECT lantern_partnership()) AND released_by = (SELECT lantern_user()));
-- Released once, and nothing else about a hold changes.
CREATE FUNCTION lantern_retention_hold_release_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.released_at IS NOT NULL THEN
    RAISE EXCEPTION 'lantern: the hold is already released' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER retention_holds_release_once BEFORE UPDATE ON retention_holds FOR EACH ROW EXECUTE FUNCTION lantern_retention_hold_release_once();

-- Whether a record is under an unreleased hold of its partnership. A child is held also when a record
-- merged into it is named by a hold (the merged-away record is disposed with it).
CREATE FUNCTION lantern_retention_held(p_partnership uuid, p_type text, p_id uuid, p_created timestamptz) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT EXISTS (
    SELECT 1 FROM retention_holds h
     WHERE h.partnership_id = p_partnership AND h.released_at IS NULL
       AND (h.record_type IS NULL OR h.record_type = p_type)
       AND CASE h.scope
             WHEN 'all' THEN true
             WHEN 'created_before' THEN p_created < h.created_before
             ELSE p_id = ANY (h.record_ids)
                  OR (p_type = 'closed_child' AND EXISTS (SELECT 1 FROM children m WHERE m.merged_into_id = p_id AND m.id = ANY (h.record_ids)))
                  OR (p_type = 'person_of_concern' AND EXISTS (SELECT 1 FROM persons_of_concern m WHERE m.merged_into_id = p_id AND m.id = ANY (h.record_ids)))
           END)
$$;
REVOKE ALL ON FUNCTION lantern_retention_held(uuid, text, uuid, timestamptz) FROM PUBLIC;

-- ---- What is due ----------------------------------------------------------------------------------

ALTER TABLE children ADD COLUMN anonymised_at timestamptz;
ALTER TABLE persons_of_concern ADD COLUMN anonymised_at timestamptz;

-- Every record of the partnership past its schedule on p_on, held or not: ids, the child's case reference,
-- the date it fell due and the schedule's action. Records already anonymised, and merged-away records
-- (disposed with the record they were merged into), are not listed.
CREATE FUNCTION lantern_retention_due_all(p_partnership uuid, p_on date)
RETURNS TABLE (record_type text, record_id uuid, reference text, created_at timestamptz, due_on date, action text, held boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT d.record_type, d.record_id, d.reference, d.created_at, d.due_on, d.action,
         lantern_retention_held(p_partnership, d.record_type, d.record_id, d.created_at)
    FROM (
      SELECT 'closed_child'::text AS record_type, c.id AS record_id, c.reference, c.created_at, s.action,
             CASE WHEN c.date_of_birth IS NULL THEN (c.closed_at + make_interval(years => s.keep_until_age))::date
                  ELSE greatest((c.date_of_birth + make_interval(years => s.keep_until_age))::date,
                                (c.closed_at + make_interval(years => s.years_after_closure))::date) END AS due_on
        FROM children c JOIN retention_schedules s ON s.partnership_id = c.partnership_id AND s.record_type = 'closed_child'
       WHERE c.partnership_id = p_partnership AND c.status = 'closed' AND c.closed_at IS NOT NULL
         AND c.merged_into_id IS NULL AND c.anonymised_at IS NULL
      UNION ALL
      SELECT 'person_of_concern', p.id, NULL, p.created_at, s.action,
             (greatest(p.created_at, p.removed_at,
                       (SELECT max(l.created_at) FROM intel_links l
                         WHERE (l.from_kind = 'person' AND l.from_id = p.id) OR (l.to_kind = 'person' AND l.to_id = p.id)))
              + make_interval(months => s.months_after_update))::date
        FROM persons_of_concern p JOIN retention_schedules s ON s.partnership_id = p.partnership_id AND s.record_type = 'person_of_concern'
       WHERE p.partnership_id = p_partnership AND p.merged_into_id IS NULL AND p.anonymised_at IS NULL
    ) d
   WHERE d.due_on <= p_on
$$;
REVOKE ALL ON FUNCTION lantern_retention_due_all(uuid, date) FROM PUBLIC;

-- The same for the acting partnership's retention managers (the disposal page).
CREATE FUNCTION lantern_retention_due(p_on date)
RETURNS TABLE (record_type text, record_id uuid, reference text, created_at timestamptz, due_on date, action text, held boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF NOT lantern_retention_may() THEN
    RAISE EXCEPTION 'lantern: not a retention manager' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN QUERY SELECT * FROM lantern_retention_due_all(lantern_partnership(), p_on) ORDER BY 5, 1, 2;
END
$$;
REVOKE ALL ON FUNCTION lantern_retention_due(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_retention_due(date) TO lantern_app;

-- ---- Disposal runs --------------------------------------------------------------------------------

CREATE TABLE retention_runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  as_of date NOT NULL,
  status text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'executed', 'cancelled')),
  -- [{"type", "id", "due", "action"}]: what was due and not held when proposed.
  items jsonb NOT NULL DEFAULT '[]',
  -- {"closed_child": n, …}: what was due but held when proposed.
  held_counts jsonb NOT NULL DEFAULT '{}',
  proposed_by uuid NOT NULL REFERENCES users (id),
  proposed_by_name text NOT NULL,
  proposed_at timestamptz NOT NULL DEFAULT now(),
  decided_by uuid REFERENCES users (id),
  decided_by_name text,
  decided_at timestamptz,
  -- The certificate: {"deleted": {type: n}, "anonymised": {type: n}, "held": {type: n}, "notDue": {type: n}, "dependentRows": n}
  outcome jsonb,
  -- sha256 of the sorted "type:id" lines of the records disposed.
  ids_hash text,
  CHECK (decided_by IS NULL OR decided_by <> proposed_by),
  CHECK ((status = 'proposed') = (decided_at IS NULL)),
  UNIQUE (partnership_id, id)
);
CREATE INDEX retention_runs_partnership_idx ON retention_runs (partnership_id, proposed_at DESC);
-- Written only by the functions below.
SELECT lantern_rls_table('retention_runs', 'SELECT');
CREATE POLICY retention_runs_managers ON retention_runs
  USING (partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_retention_may()));

-- Proposes a run of what is due on p_on and not held. At most one proposed run at a time.
CREATE FUNCTION lantern_retention_propose(p_on date, p_actor_name text) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  partnership uuid := lantern_partnership();
  run_id uuid;
BEGIN
  IF NOT lantern_retention_may() THEN
    RAISE EXCEPTION 'lantern: not a retention manager' USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('lantern_retention'), hashtext(partnership::text));
  IF EXISTS (SELECT 1 FROM retention_runs WHERE partnership_id = partnership AND status = 'proposed') THEN
    RAISE EXCEPTION 'lantern: a disposal run is already proposed' USING ERRCODE = 'unique_violation';
  END IF;
  INSERT INTO retention_runs (partnership_id, as_of, items, held_counts, proposed_by, proposed_by_name)
  SELECT partnership, p_on,
         coalesce(jsonb_agg(jsonb_build_object('type', d.record_type, 'id', d.record_id, 'due', d.due_on, 'action', d.action)
                            ORDER BY d.record_type, d.record_id) FILTER (WHERE NOT d.held), '[]'),
         coalesce((SELECT jsonb_object_agg(h.record_type, h.n) FROM (SELECT x.record_type, count(*) AS n FROM lantern_retention_due_all(partnership, p_on) x
                   WHERE x.held GROUP BY x.record_type) h), '{}'),
         lantern_user(), p_actor_name
    FROM lantern_retention_due_all(partnership, p_on) d
  RETURNING id INTO run_id;
  RETURN run_id;
END
$$;
REVOKE ALL ON FUNCTION lantern_retention_propose(date, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_retention_propose(date, text) TO lantern_app;

-- Cancels a proposed run (either person may).
CREATE FUNCTION lantern_retention_cancel(p_run uuid, p_actor_name text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF NOT lantern_retention_may() THEN
    RAISE EXCEPTION 'lantern: not a retention manager' USING ERRCODE = 'insufficient_privilege';
  END IF;
  UPDATE retention_runs SET status = 'cancelled', decided_by = CASE WHEN proposed_by = lantern_user() THEN NULL ELSE lantern_user() END,
         decided_by_name = p_actor_name, decided_at = now()
   WHERE id = p_run AND partnership_id = lantern_partnership() AND status = 'proposed';
  IF NOT FOUND THEN
    RAISE EXCEPTION 'lantern: no such proposed run' USING ERRCODE = 'no_data_found';
  END IF;
END
$$;
REVOKE ALL ON FUNCTION lantern_retention_cancel(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_retention_cancel(uuid, text) TO lantern_app;

-- Deletes rows of a table by id, and first, following every foreign key in the catalogue, every row
-- that refers to them (and so on down). Returns how many rows it deleted in all.
CREATE FUNCTION lantern_retention_delete_rows(p_table regclass, p_ids uuid[], p_partnership uuid, p_depth integer DEFAULT 0) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  fk record;
  ref_ids uuid[];
  n integer := 0;
  d integer;
BEGIN
  IF cardinality(p_ids) = 0 THEN
    RETURN 0;
  END IF;
  IF p_depth > 12 THEN
    RAISE EXCEPTION 'lantern: references too deep deleting from %', p_table;
  END IF;
  FOR fk IN
    SELECT c.conrelid::regclass AS tbl, a.attname AS col,
           EXISTS (SELECT 1 FROM pg_attribute i WHERE i.attrelid = c.conrelid AND i.attname = 'id' AND i.atttypid = 'uuid'::regtype) AS has_id
      FROM pg_constraint c
      CROSS JOIN LATERAL unnest(c.conkey, c.confkey) k (col, refcol)
      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.col
      JOIN pg_attribute r ON r.attrelid = c.confrelid AND r.attnum = k.refcol
     WHERE c.contype = 'f' AND c.confrelid = p_table AND r.attname = 'id'
     ORDER BY 1::text, 2
  LOOP
    IF fk.has_id THEN
      EXECUTE format('SELECT coalesce(array_agg(id), ''{}'') FROM %s WHERE %I = ANY ($1)', fk.tbl, fk.col) INTO ref_ids USING p_ids;
      IF fk.tbl = p_table THEN
        ref_ids := ARRAY(SELECT x FROM unnest(ref_ids) x WHERE x <> ALL (p_ids));
      END IF;
      n := n + lantern_retention_delete_rows(fk.tbl, ref_ids, p_partnership, p_depth + 1);
    ELSE
      EXECUTE format('DELETE FROM %s WHERE %I = ANY ($1)', fk.tbl, fk.col) USING p_ids;
      GET DIAGNOSTICS d = ROW_COUNT;
      n := n + d;
    END IF;
  END LOOP;
  EXECUTE format('DELETE FROM %s WHERE id = ANY ($1) AND partnership_id = $2', p_table) USING p_ids, p_partnership;
  GET DIAGNOSTICS d = ROW_COUNT;
  RETURN n + d;
END
$$;
REVOKE ALL ON FUNCTION lantern_retention_delete_rows(regclass, uuid[], uuid, integer) FROM PUBLIC;

-- Deletes a child's or a person's whole record: the rows that refer to it by a kind column (links,
-- shares, agenda items: no foreign key), then the record and everything that refers to it by key.
CREATE FUNCTION lantern_retention_delete_record(p_kind text, p_id uuid, p_partnership uuid) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  col record;
  ref_ids uuid[];
  n integer := 0;
  merged uuid[];
BEGIN
  IF p_kind = 'child' THEN
    SELECT coalesce(array_agg(id), '{}') INTO merged FROM children WHERE merged_into_id = p_id AND partnership_id = p_partnership;
  ELSE
    SELECT coalesce(array_agg(id), '{}') INTO merged FROM persons_of_concern WHERE merged_into_id = p_id AND partnership_id = p_partnership;
  END IF;
  FOR col IN SELECT DISTINCT c.table_name, c.column_name, c.kind_column, c.kind_value FROM lantern_merge_columns() c
              WHERE c.kind = p_kind AND c.kind_column IS NOT NULL AND c.kind_column <> c.column_name LOOP
    EXECUTE format('SELECT coalesce(array_agg(id), ''{}'') FROM %I WHERE %I = ANY ($1) AND %I = %L AND partnership_id = $2',
                   col.table_name, col.column_name, col.kind_column, col.kind_value)
      INTO ref_ids USING array_append(merged, p_id), p_partnership;
    n := n + lantern_retention_delete_rows(col.table_name::regclass, ref_ids, p_partnership);
  END LOOP;
  n := n + lantern_retention_delete_rows(CASE p_kind WHEN 'child' THEN 'children'::regclass ELSE 'persons_of_concern'::regclass END,
                                         ARRAY[p_id], p_partnership);
  RETURN n - 1;
END
$$;
REVOKE ALL ON FUNCTION lantern_retention_delete_record(text, uuid, uuid) FROM PUBLIC;

-- Anonymises a record: its identifying fields are replaced, its addresses and case notes deleted; the
-- record and its other rows stay, so the partnership's counts are unchanged. Returns rows deleted.
CREATE FUNCTION lantern_retention_anonymise_record(p_kind text, p_id uuid, p_partnership uuid) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  n integer := 0;
  d integer;
BEGIN
  IF p_kind = 'child' THEN
    DELETE FROM child_addresses WHERE child_id = p_id AND partnership_id = p_partnership;
    GET DIAGNOSTICS d = ROW_COUNT;
    n := n + d;
    n := n + lantern_retention_delete_rows('case_notes', (SELECT coalesce(array_agg(id), '{}') FROM case_notes WHERE child_id = p_id), p_partnership);
    UPDATE children SET given_name = 'Anonymised', family_name = 'Anonymised', aliases = '{}', date_of_birth = NULL, school = NULL,
           placement = NULL, closing_reason = NULL, restricted_reason = CASE WHEN restricted THEN 'Anonymised' END,
           reference = 'ANON-' || upper(left(replace(id::text, '-', ''), 12)), anonymised_at = now()
     WHERE id = p_id AND partnership_id = p_partnership;
  ELSE
    UPDATE persons_of_concern SET given_name = 'Anonymised', family_name = NULL, aliases = '{}', date_of_birth = NULL, description = NULL,
           phone_numbers = '{}', social_media = '{}', removed_reason = CASE WHEN removed_reason IS NOT NULL THEN 'Anonymised' END, anonymised_at = now()
     WHERE id = p_id AND partnership_id = p_partnership;
  END IF;
  RETURN n;
END
$$;
REVOKE ALL ON FUNCTION lantern_retention_anonymise_record(text, uuid, uuid) FROM PUBLIC;

-- Executes a proposed run, approved by a second person (never its proposer). Each record is checked
-- again, in this transaction, under a lock on the partnership's holds: held now (a hold made since the
-- proposal) or no longer due (reopened, already disposed) is left alone and counted. Returns the
-- certificate (also kept on the run): counts per kind and outcome, and the hash of the ids disposed.
CREATE FUNCTION lantern_retention_execute(p_run uuid, p_actor_name text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  partnership uuid := lantern_partnership();
  run retention_runs;
  item jsonb;
  due record;
  kind text;
  deleted jsonb := '{}';
  anonymised jsonb := '{}';
  held jsonb := '{}';
  not_due jsonb := '{}';
  dependents integer := 0;
  disposed text[] := '{}';
  certificate jsonb;
  hash text;
BEGIN
  IF NOT lantern_retention_may() THEN
    RAISE EXCEPTION 'lantern: not a retention manager' USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('lantern_retention'), hashtext(partnership::text));
  -- No hold is made or released while the run executes.
  LOCK TABLE retention_holds IN SHARE ROW EXCLUSIVE MODE;
  SELECT * INTO run FROM retention_runs WHERE id = p_run AND partnership_id = partnership FOR UPDATE;
  IF NOT FOUND OR run.status <> 'proposed' THEN
    RAISE EXCEPTION 'lantern: no such proposed run' USING ERRCODE = 'no_data_found';
  END IF;
  IF run.proposed_by = lantern_user() THEN
    RAISE EXCEPTION 'lantern: a disposal run is approved by a second person' USING ERRCODE = 'insufficient_privilege';
  END IF;
  FOR item IN SELECT value FROM jsonb_array_elements(run.items) LOOP
    kind := item->>'type';
    SELECT * INTO due FROM lantern_retention_due_all(partnership, run.as_of) d WHERE d.record_type = kind AND d.record_id = (item->>'id')::uuid;
    IF NOT FOUND THEN
      not_due := jsonb_set(not_due, ARRAY[kind], to_jsonb(coalesce((not_due->>kind)::int, 0) + 1));
      CONTINUE;
    END IF;
    IF due.held THEN
      held := jsonb_set(held, ARRAY[kind], to_jsonb(coalesce((held->>kind)::int, 0) + 1));
      CONTINUE;
    END IF;
    -- The schedule's action now (it may have changed since the proposal).
    IF due.action = 'anonymise' THEN
      dependents := dependents + lantern_retention_anonymise_record(CASE kind WHEN 'closed_child' THEN 'child' ELSE 'person' END, due.record_id, partnership);
      anonymised := jsonb_set(anonymised, ARRAY[kind], to_jsonb(coalesce((anonymised->>kind)::int, 0) + 1));
    ELSE
      dependents := dependents + lantern_retention_delete_record(CASE kind WHEN 'closed_child' THEN 'child' ELSE 'person' END, due.record_id, partnership);
      deleted := jsonb_set(deleted, ARRAY[kind], to_jsonb(coalesce((deleted->>kind)::int, 0) + 1));
    END IF;
    disposed := disposed || (kind || ':' || due.record_id::text);
  END LOOP;
  SELECT encode(sha256(convert_to(coalesce(string_agg(x, E'\n' ORDER BY x), ''), 'UTF8')), 'hex') INTO hash FROM unnest(disposed) x;
  certificate := jsonb_build_object('deleted', deleted, 'anonymised', anonymised, 'held', held, 'notDue', not_due,
                                    'dependentRows', dependents, 'heldWhenProposed', run.held_counts, 'disposed', cardinality(disposed));
  UPDATE retention_runs SET status = 'executed', decided_by = lantern_user(), decided_by_name = p_actor_name, decided_at = now(),
         outcome = certificate, ids_hash = hash
   WHERE id = p_run;
  RETURN certificate || jsonb_build_object('idsHash', hash);
END
$$;
REVOKE ALL ON FUNCTION lantern_retention_execute(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_retention_execute(uuid, text) TO lantern_app;
