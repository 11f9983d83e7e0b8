-- Data subjects' rights (issue 16 §3, docs/DECISIONS.md 55): rectification requests with their one-month
-- deadline and decision, the subject's supplementary statement shown with the record, and restriction of
-- processing, which the database enforces: while a child's or a person of concern's record is restricted,
-- no change to it or to its principal casework is accepted (SQLSTATE LR001 → LANTERN_E_PROCESSING_RESTRICTED,
-- 409), until the data protection officer lifts the restriction. Storage and viewing continue.
--
-- Not to be confused with a restricted record (children.restricted, restriction_changes, migration 0116):
-- that limits who may SEE a record; this stops anyone CHANGING it.
--
-- Who: the partnership's data protection officers (lantern_data_rights_may(); 'data-rights.manage' in
-- src/authz/policy.ts says the same). A DPO does not read children's records: the functions below name a
-- subject to them by case reference and name only.

CREATE FUNCTION lantern_data_rights_may() RETURNS boolean LANGUAGE sql STABLE SET search_path = public AS $$
  SELECT lantern_partnership() IS NOT NULL AND lantern_user() IS NOT NULL AND lantern_actor_roles() @> ARRAY['dpo']::text[]
$$;

-- Whether the acting person may see this child or person (their own policies decide): who sees a
-- restriction banner and a supplementary statement with the record.
CREATE FUNCTION lantern_data_rights_subject_visible(p_child uuid, p_person uuid) RETURNS boolean LANGUAGE sql STABLE SET search_path = public AS $$
  SELECT CASE WHEN p_child IS NOT NULL THEN EXISTS (SELECT 1 FROM children c WHERE c.id = p_child)
              ELSE EXISTS (SELECT 1 FROM persons_of_concern p WHERE p.id = p_person) END
$$;

-- ---- Requests ---------------------------------------------------------------------------------------

-- A request about a subject's data. Rectification is built (Article 16); the other kinds are for the
-- requests still to come (restriction is placed below, erasure and objection are decided by hand).
-- The deadline is one calendar month from receipt: the same date next month, or that month's last day
-- when it has no such date (PostgreSQL's date + interval '1 month' does exactly this: 31 January → 28 or
-- 29 February).
CREATE TABLE data_rights_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  kind text NOT NULL CHECK (kind IN ('rectification', 'restriction', 'erasure', 'objection')),
  child_id uuid,
  person_id uuid,
  requested_by text NOT NULL CHECK (length(requested_by) BETWEEN 1 AND 200),
  received_on date NOT NULL,
  due_on date NOT NULL GENERATED ALWAYS AS (lantern_statutory_due_on(received_on)) STORED, -- one month (0640)
  disputed_record text NOT NULL CHECK (length(disputed_record) BETWEEN 1 AND 500),
  requested_correction text NOT NULL CHECK (length(requested_correction) BETWEEN 1 AND 2000),
  decision text CHECK (decision IN ('rectified', 'not_rectified', 'statement_added')),
  -- rectified: what was changed (the change itself is made, and audited, on the record's own edit pages);
  -- not rectified: the reasons, told to the requester on requester_told_on.
  decision_note text CHECK (length(decision_note) BETWEEN 1 AND 2000),
  requester_told_on date,
  decided_at timestamptz,
  decided_by uuid REFERENCES users (id),
  decided_by_name text,
  created_by uuid NOT NULL REFERENCES users (id),
  created_by_name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (num_nonnulls(child_id, person_id) = 1),
  CHECK ((decision IS NULL) = (decided_at IS NULL) AND (decision IS NULL) = (decided_by IS NULL)),
  CHECK (decision IS NULL OR decision = 'statement_added' OR decision_note IS NOT NULL),
  CHECK (decision IS DISTINCT FROM 'not_rectified' OR requester_told_on IS NOT NULL),
  FOREIGN KEY (partnership_id, child_id) REFERENCES children (partnership_id, id),
  FOREIGN KEY (partnership_id, person_id) REFERENCES persons_of_concern (partnership_id, id),
  UNIQUE (partnership_id, id)
);
CREATE INDEX data_rights_requests_open_idx ON data_rights_requests (partnership_id, due_on) WHERE decision IS NULL;
CREATE INDEX data_rights_requests_child_idx ON data_rights_requests (child_id) WHERE child_id IS NOT NULL;
CREATE INDEX data_rights_requests_person_idx ON data_rights_requests (person_id) WHERE person_id IS NOT NULL;
SELECT lantern_rls_table('data_rights_requests',
  'SELECT, INSERT, UPDATE (decision, decision_note, requester_told_on, decided_at, decided_by, decided_by_name)');
SELECT lantern_standard_policy('data_rights_requests', '_dpo', 'partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_data_rights_may())');
-- Decided once: a decision is not changed afterwards (a new request is recorded instead).
CREATE FUNCTION lantern_data_rights_decide_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- (Compared by the columns a decision writes: a BEFORE trigger sees the generated due_on as NULL.)
  IF OLD.decision IS NOT NULL AND (NEW.decision, NEW.decision_note, NEW.requester_told_on, NEW.decided_at, NEW.decided_by, NEW.decided_by_name)
       IS DISTINCT FROM (OLD.decision, OLD.decision_note, OLD.requester_told_on, OLD.decided_at, OLD.decided_by, OLD.decided_by_name) THEN
    RAISE EXCEPTION 'lantern: the request is already decided' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER data_rights_requests_decide_once BEFORE UPDATE ON data_rights_requests FOR EACH ROW EXECUTE FUNCTION lantern_data_rights_decide_once();

-- The subject's own statement, attached to the record when it is not rectified (Article 16: "including by
-- means of providing a supplementary statement"): shown on the record's page to everyone who sees the record.
CREATE TABLE record_statements (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  child_id uuid,
  person_id uuid,
  request_id uuid NOT NULL,
  disputed_record text NOT NULL CHECK (length(disputed_record) BETWEEN 1 AND 500),
  statement text NOT NULL CHECK (length(statement) BETWEEN 1 AND 4000),
  added_by uuid NOT NULL REFERENCES users (id),
  added_by_name text NOT NULL,
  added_at timestamptz NOT NULL DEFAULT now(),
  CHECK (num_nonnulls(child_id, person_id) = 1),
  FOREIGN KEY (partnership_id, child_id) REFERENCES children (partnership_id, id),
  FOREIGN KEY (partnership_id, person_id) REFERENCES persons_of_concern (partnership_id, id),
  FOREIGN KEY (partnership_id, request_id) REFERENCES data_rights_requests (partnership_id, id)
);
CREATE INDEX record_statements_child_idx ON record_statements (child_id) WHERE child_id IS NOT NULL;
CREATE INDEX record_statements_person_idx ON record_statements (person_id) WHERE person_id IS NOT NULL;
SELECT lantern_rls_table('record_statements', 'SELECT, INSERT');
CREATE POLICY record_statements_read ON record_statements FOR SELECT
  USING (partnership_id = (SELECT lantern_partnership())
         AND ((SELECT lantern_data_rights_may()) OR lantern_data_rights_subject_visible(child_id, person_id)));
CREATE POLICY record_statements_add ON record_statements FOR INSERT
  WITH CHECK (partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_data_rights_may()) AND added_by = (SELECT lantern_user()));

-- ---- Restriction of processing ----------------------------------------------------------------------

-- A restriction is placed (with a reason and the date it applies from) and lifted (who, when, why),
-- once, never deleted; one unlifted restriction per subject.
CREATE TABLE processing_restrictions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  child_id uuid,
  person_id uuid,
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  from_on date NOT NULL,
  placed_by uuid NOT NULL REFERENCES users (id),
  placed_by_name text NOT NULL,
  placed_at timestamptz NOT NULL DEFAULT now(),
  lifted_at timestamptz,
  lifted_by uuid REFERENCES users (id),
  lifted_by_name text,
  lift_reason text CHECK (length(lift_reason) BETWEEN 1 AND 2000),
  CHECK (num_nonnulls(child_id, person_id) = 1),
  CHECK ((lifted_at IS NULL) = (lifted_by IS NULL) AND (lifted_at IS NULL) = (lift_reason IS NULL)),
  FOREIGN KEY (partnership_id, child_id) REFERENCES children (partnership_id, id),
  FOREIGN KEY (partnership_id, person_id) REFERENCES persons_of_concern (partnership_id, id)
);
CREATE UNIQUE INDEX processing_restrictions_child_active ON processing_restrictions (child_id) WHERE lifted_at IS NULL AND child_id IS NOT NULL;
CREATE UNIQUE INDEX processing_restrictions_person_active ON processing_restrictions (person_id) WHERE lifted_at IS NULL AND person_id IS NOT NULL;
CREATE INDEX processing_restrictions_active_idx ON processing_restrictions (partnership_id) WHERE lifted_at IS NULL;
SELECT lantern_rls_table('processing_restrictions', 'SELECT, INSERT, UPDATE (lifted_at, lifted_by, lifted_by_name, lift_reason)');
CREATE POLICY processing_restrictions_read ON processing_restrictions FOR SELECT
  USING (partnership_id = (SELECT lantern_partnership())
         AND ((SELECT lantern_data_rights_may()) OR lantern_data_rights_subject_visible(child_id, person_id)));
CREATE POLICY processing_restrictions_place ON processing_restrictions FOR INSERT
  WITH CHECK (partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_data_rights_may()) AND placed_by = (SELECT lantern_user())
              AND lifted_at IS NULL);
CREATE POLICY processing_restrictions_lift ON processing_restrictions FOR UPDATE
  USING (partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_data_rights_may()))
  WITH CHECK (partnership_id = (SELECT lantern_partnership()) AND lifted_by = (SELECT lantern_user()));
CREATE FUNCTION lantern_processing_restriction_lift_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.lifted_at IS NOT NULL AND NEW IS DISTINCT FROM OLD THEN
    RAISE EXCEPTION 'lantern: the restriction is already lifted' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER processing_restrictions_lift_once BEFORE UPDATE ON processing_restrictions FOR EACH ROW
  EXECUTE FUNCTION lantern_processing_restriction_lift_once();

-- Whether a child's or a person's processing is restricted now, whoever asks (the guard below needs the
-- answer for rows the writer could not read).
CREATE FUNCTION lantern_processing_restricted(p_kind text, p_id uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT p_id IS NOT NULL AND EXISTS (
    SELECT 1 FROM processing_restrictions r
     WHERE r.lifted_at IS NULL AND CASE p_kind WHEN 'child' THEN r.child_id = p_id ELSE r.person_id = p_id END)
$$;
REVOKE ALL ON FUNCTION lantern_processing_restricted(text, uuid) FROM PUBLIC;

-- The guard: BEFORE INSERT, UPDATE or DELETE of a row of the subject's record. Arguments: the subject's
-- kind, the column holding its id and, for a polymorphic table, the column holding the kind. An update
-- that moves a row from one subject to another is checked against both.
CREATE FUNCTION lantern_refuse_restricted_processing() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  kind text := TG_ARGV[0];
  id_column text := TG_ARGV[1];
  kind_column text := TG_ARGV[2];
  r jsonb;
BEGIN
  FOREACH r IN ARRAY ARRAY[CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END, CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END] LOOP
    CONTINUE WHEN r IS NULL;
    CONTINUE WHEN kind_column IS NOT NULL AND r ->> kind_column IS DISTINCT FROM kind;
    IF lantern_processing_restricted(kind, (r ->> id_column)::uuid) THEN
      RAISE EXCEPTION 'lantern: processing of this % record is restricted', kind USING ERRCODE = 'LR001',
        HINT = 'the data protection officer lifts the restriction first';
    END IF;
  END LOOP;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
REVOKE ALL ON FUNCTION lantern_refuse_restricted_processing() FROM PUBLIC;

-- The record and its principal casework. New concerns are not stopped (a safeguarding concern about a
-- restricted child still reaches triage); the histories written beside a change (status events, flag
-- changes) fall with the change they go with.
CREATE TRIGGER children_processing_restricted BEFORE INSERT OR UPDATE OR DELETE ON children
  FOR EACH ROW EXECUTE FUNCTION lantern_refuse_restricted_processing('child', 'id');
CREATE TRIGGER child_addresses_processing_restricted BEFORE INSERT OR UPDATE OR DELETE ON child_addresses
  FOR EACH ROW EXECUTE FUNCTION lantern_refuse_restricted_processing('child', 'child_id');
CREATE TRIGGER child_involvements_processing_restricted BEFORE INSERT OR UPDATE OR DELETE ON child_involvements
  FOR EACH ROW EXECUTE FUNCTION lantern_refuse_restricted_processing('child', 'child_id');
CREATE TRIGGER child_flags_processing_restricted BEFORE INSERT OR UPDATE OR DELETE ON child_flags
  FOR EACH ROW EXECUTE FUNCTION lantern_refuse_restricted_processing('child', 'child_id');
CREATE TRIGGER risk_assessments_processing_restricted BEFORE INSERT OR UPDATE OR DELETE ON risk_assessments
  FOR EACH ROW EXECUTE FUNCTION lantern_refuse_restricted_processing('child', 'child_id');
CREATE TRIGGER missing_episodes_processing_restricted BEFORE INSERT OR UPDATE OR DELETE ON missing_episodes
  FOR EACH ROW EXECUTE FUNCTION lantern_refuse_restricted_processing('child', 'child_id');
CREATE TRIGGER return_interviews_processing_restricted BEFORE INSERT OR UPDATE OR DELETE ON return_interviews
  FOR EACH ROW EXECUTE FUNCTION lantern_refuse_restricted_processing('child', 'child_id');
CREATE TRIGGER strategy_meetings_processing_restricted BEFORE INSERT OR UPDATE OR DELETE ON strategy_meetings
  FOR EACH ROW EXECUTE FUNCTION lantern_refuse_restricted_processing('child', 'child_id');
CREATE TRIGGER plan_actions_processing_restricted BEFORE INSERT OR UPDATE OR DELETE ON plan_actions
  FOR EACH ROW EXECUTE FUNCTION lantern_refuse_restricted_processing('child', 'child_id');
CREATE TRIGGER case_notes_processing_restricted BEFORE INSERT OR UPDATE OR DELETE ON case_notes
  FOR EACH ROW EXECUTE FUNCTION lantern_refuse_restricted_processing('child', 'child_id');
CREATE TRIGGER service_referrals_processing_restricted BEFORE INSERT OR UPDATE OR DELETE ON service_referrals
  FOR EACH ROW EXECUTE FUNCTION lantern_refuse_restricted_processing('child', 'child_id');
CREATE TRIGGER persons_of_concern_processing_restricted BEFORE INSERT OR UPDATE OR DELETE ON persons_of_concern
  FOR EACH ROW EXECUTE FUNCTION lantern_refuse_restricted_processing('person', 'id');
CREATE TRIGGER intel_links_from_processing_restricted BEFORE INSERT OR UPDATE OR DELETE ON intel_links
  FOR EACH ROW EXECUTE FUNCTION lantern_refuse_restricted_processing('person', 'from_id', 'from_kind');
CREATE TRIGGER intel_links_to_processing_restricted BEFORE INSERT OR UPDATE OR DELETE ON intel_links
  FOR EACH ROW EXECUTE FUNCTION lantern_refuse_restricted_processing('person', 'to_id', 'to_kind');
CREATE TRIGGER intel_links_child_from_processing_restricted BEFORE INSERT OR UPDATE OR DELETE ON intel_links
  FOR EACH ROW EXECUTE FUNCTION lantern_refuse_restricted_processing('child', 'from_id', 'from_kind');
CREATE TRIGGER intel_links_child_to_processing_restricted BEFORE INSERT OR UPDATE OR DELETE ON intel_links
  FOR EACH ROW EXECUTE FUNCTION lantern_refuse_restricted_processing('child', 'to_id', 'to_kind');

-- ---- Naming a subject to the DPO ----------------------------------------------------------------------

-- A child (by case reference or id) or a person of concern (by id) of the acting partnership, for its
-- DPO: the id, a label (the case reference and name, or the person's name) and whether it is merged away.
-- The DPO's service audits each use (data_rights.view).
CREATE FUNCTION lantern_data_rights_subject(p_kind text, p_key text)
RETURNS TABLE (id uuid, label text, merged_into_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT c.id, c.reference || ' — ' || concat_ws(' ', c.given_name, c.family_name), c.merged_into_id
    FROM children c
   WHERE p_kind = 'child' AND lantern_data_rights_may() AND c.partnership_id = lantern_partnership()
     AND (c.reference = upper(btrim(p_key))
          OR c.id = CASE WHEN btrim(p_key) ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN btrim(p_key)::uuid END)
  UNION ALL
  SELECT p.id, coalesce(nullif(concat_ws(' ', p.given_name, p.family_name), ''), p.aliases[1]), p.merged_into_id
    FROM persons_of_concern p
   WHERE p_kind = 'person' AND lantern_data_rights_may() AND p.partnership_id = lantern_partnership()
     AND p.id = CASE WHEN btrim(p_key) ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN btrim(p_key)::uuid END
$$;
REVOKE ALL ON FUNCTION lantern_data_rights_subject(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_data_rights_subject(text, text) TO lantern_app;

-- ---- Disposal keeps a restricted record ----------------------------------------------------------------

-- Restriction means the data is stored and not otherwise processed: a record whose processing is
-- restricted is held from disposal as a legal hold would (the body of migration 0600, plus the last line).
CREATE OR REPLACE FUNCTION lantern_retention_held(p_partnership uuid, p_type text, p_id uuid, p_created timestamptz) RETURNS boolean
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
      OR lantern_processing_restricted(CASE p_type WHEN 'closed_child' THEN 'child' ELSE 'person' END, p_id)
$$;
