-- MACE (multi-agency child exploitation) meetings (issue 12 §4): a meeting, its agenda on the VOLT
-- model (Victims, Offenders, Locations, Themes), the minutes of each item, the actions it sets another
-- agency (they appear in that agency's worklists) and the decisions it takes ("refer to licensing").
--
-- The co-ordinator chairs: creates meetings, builds and changes the agenda, records minutes, actions and
-- decisions. The police analyst reads. An agenda item may be restricted to named agencies: then only the
-- chair and the intelligence roles of those agencies read it (and its actions and decisions), and the
-- meeting pack made for another agency withholds it. An action's owning agency reads its own actions
-- (the worklist), whoever the worker, and may change their status.

CREATE TABLE mace_meetings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  title text NOT NULL,
  held_on date NOT NULL,
  venue text,
  chair_user_id uuid REFERENCES users (id),
  chair_name text,
  -- When the VOLT agenda was last built (null: never).
  agenda_built_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users (id),
  created_by_name text,
  UNIQUE (partnership_id, id)
);
CREATE INDEX mace_meetings_partnership_idx ON mace_meetings (partnership_id, held_on DESC);

CREATE TABLE mace_agenda_items (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  meeting_id uuid NOT NULL,
  section text NOT NULL CHECK (section IN ('victims', 'offenders', 'locations', 'themes')),
  -- Victims are children, offenders persons of concern, locations intelligence locations; a theme is text.
  entity_kind text CHECK (entity_kind IN ('child', 'person', 'location')),
  entity_id uuid,
  theme text,
  -- Why the item is on the agenda: the VOLT rules' reasons (features/mace/volt.ts), or chair_added.
  reasons text[] NOT NULL DEFAULT '{}'
    CHECK (reasons <@ ARRAY['high_risk', 'newly_escalated', 'linked_children', 'newly_identified', 'repeated_found_at', 'chair_added']::text[]),
  -- Children linked to the person or place when the agenda was built; found_at links to the place.
  linked_children integer,
  found_at_links integer,
  chair_reason text,
  -- Empty: every agency of the partnership may see it; otherwise only these agencies.
  restricted_to_agency_ids uuid[] NOT NULL DEFAULT '{}',
  minutes text,
  minutes_at timestamptz,
  minutes_by_name text,
  removed_at timestamptz,
  removed_reason text,
  removed_by_name text,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users (id),
  created_by_name text,
  FOREIGN KEY (partnership_id, meeting_id) REFERENCES mace_meetings (partnership_id, id),
  UNIQUE (partnership_id, id),
  CHECK ((section = 'themes') = (entity_kind IS NULL)),
  CHECK ((entity_kind IS NULL) = (entity_id IS NULL)),
  CHECK ((section = 'themes') = (theme IS NOT NULL)),
  CHECK (section <> 'victims' OR entity_kind = 'child'),
  CHECK (section <> 'offenders' OR entity_kind = 'person'),
  CHECK (section <> 'locations' OR entity_kind = 'location'),
  CHECK (removed_at IS NULL OR removed_reason IS NOT NULL),
  CHECK (NOT ('chair_added' = ANY (reasons)) OR chair_reason IS NOT NULL)
);
-- A child, person or place is on a meeting's agenda once: building the agenda again adds only what is
-- new, and an item the chair removed stays removed.
CREATE UNIQUE INDEX mace_agenda_items_entity_idx ON mace_agenda_items (meeting_id, entity_id) WHERE entity_id IS NOT NULL;
CREATE INDEX mace_agenda_items_meeting_idx ON mace_agenda_items (meeting_id, section);

CREATE TABLE mace_actions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  meeting_id uuid NOT NULL,
  item_id uuid,
  description text NOT NULL,
  owner_agency_id uuid NOT NULL,
  due_on date NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'done')),
  status_changed_at timestamptz,
  status_changed_by_name text,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users (id),
  created_by_name text,
  FOREIGN KEY (partnership_id, meeting_id) REFERENCES mace_meetings (partnership_id, id),
  FOREIGN KEY (partnership_id, item_id) REFERENCES mace_agenda_items (partnership_id, id),
  FOREIGN KEY (partnership_id, owner_agency_id) REFERENCES agencies (partnership_id, id)
);
CREATE INDEX mace_actions_meeting_idx ON mace_actions (meeting_id, due_on);
-- The owning agency's worklist: its open actions, soonest due first.
CREATE INDEX mace_actions_owner_open_idx ON mace_actions (owner_agency_id, due_on, id) WHERE status <> 'done';

CREATE TABLE mace_decisions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  meeting_id uuid NOT NULL,
  item_id uuid,
  kind text NOT NULL CHECK (kind IN ('refer_to_licensing', 'child_abduction_warning_notice', 'sexual_risk_order', 'closure_order',
    'hotel_information_request', 'police_investigation', 'no_further_action', 'other')),
  note text,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users (id),
  created_by_name text,
  FOREIGN KEY (partnership_id, meeting_id) REFERENCES mace_meetings (partnership_id, id),
  FOREIGN KEY (partnership_id, item_id) REFERENCES mace_agenda_items (partnership_id, id),
  CHECK (kind <> 'other' OR note IS NOT NULL)
);
CREATE INDEX mace_decisions_meeting_idx ON mace_decisions (meeting_id, created_at);

-- An agenda item's child, person or place is a row of its own partnership that the writer sees (as
-- lantern_intel_link_ends, 0300).
CREATE FUNCTION lantern_mace_item_entity() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  found_end boolean;
BEGIN
  IF NEW.entity_id IS NULL THEN
    RETURN NULL;
  END IF;
  found_end := CASE NEW.entity_kind
    WHEN 'child' THEN EXISTS (SELECT 1 FROM children WHERE id = NEW.entity_id AND partnership_id = NEW.partnership_id)
    WHEN 'person' THEN EXISTS (SELECT 1 FROM persons_of_concern WHERE id = NEW.entity_id AND partnership_id = NEW.partnership_id)
    WHEN 'location' THEN EXISTS (SELECT 1 FROM intel_locations WHERE id = NEW.entity_id AND partnership_id = NEW.partnership_id)
  END;
  IF NOT found_end THEN
    RAISE EXCEPTION 'lantern: the % % of an agenda item is not a record of its partnership', NEW.entity_kind, NEW.entity_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER mace_agenda_items_entity AFTER INSERT OR UPDATE OF entity_id ON mace_agenda_items FOR EACH ROW EXECUTE FUNCTION lantern_mace_item_entity();

-- Row-level security. Meetings: the acting partnership's intelligence roles read, the co-ordinator writes.
SELECT lantern_rls_table('mace_meetings', 'SELECT, INSERT, UPDATE (agenda_built_at)');
CREATE POLICY mace_meetings_read ON mace_meetings FOR SELECT
  USING (partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_actor_roles()) && ARRAY['coordinator', 'analyst']::text[]);
CREATE POLICY mace_meetings_chair ON mace_meetings FOR INSERT
  WITH CHECK (partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_actor_roles()) && ARRAY['coordinator']::text[]);
CREATE POLICY mace_meetings_chair_update ON mace_meetings FOR UPDATE
  USING (partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_actor_roles()) && ARRAY['coordinator']::text[])
  WITH CHECK (partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_actor_roles()) && ARRAY['coordinator']::text[]);

-- Agenda items: the chair reads and writes every one; the analyst reads those not restricted, or
-- restricted to their own agency.
SELECT lantern_rls_table('mace_agenda_items',
  'SELECT, INSERT, UPDATE (restricted_to_agency_ids, minutes, minutes_at, minutes_by_name, removed_at, removed_reason, removed_by_name)');
CREATE POLICY mace_agenda_items_read ON mace_agenda_items FOR SELECT
  USING (partnership_id = (SELECT lantern_partnership())
    AND ((SELECT lantern_actor_roles()) && ARRAY['coordinator']::text[]
      OR ((SELECT lantern_actor_roles()) && ARRAY['analyst']::text[]
        AND (restricted_to_agency_ids = '{}' OR (SELECT lantern_agency()) = ANY (restricted_to_agency_ids)))));
CREATE POLICY mace_agenda_items_chair ON mace_agenda_items FOR INSERT
  WITH CHECK (partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_actor_roles()) && ARRAY['coordinator']::text[]);
CREATE POLICY mace_agenda_items_chair_update ON mace_agenda_items FOR UPDATE
  USING (partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_actor_roles()) && ARRAY['coordinator']::text[])
  WITH CHECK (partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_actor_roles()) && ARRAY['coordinator']::text[]);

-- Actions: the chair; the analyst with an item they read (or none); and the owning agency, whoever the
-- worker, for its worklist. The chair sets them; the chair or the owning agency changes their status.
SELECT lantern_rls_table('mace_actions', 'SELECT, INSERT, UPDATE (status, status_changed_at, status_changed_by_name)');
CREATE POLICY mace_actions_read ON mace_actions FOR SELECT
  USING (partnership_id = (SELECT lantern_partnership())
    AND ((SELECT lantern_actor_roles()) && ARRAY['coordinator']::text[]
      OR owner_agency_id = (SELECT lantern_agency())
      OR ((SELECT lantern_actor_roles()) && ARRAY['analyst']::text[]
        AND (item_id IS NULL OR EXISTS (SELECT 1 FROM mace_agenda_items i WHERE i.id = item_id)))));
CREATE POLICY mace_actions_chair ON mace_actions FOR INSERT
  WITH CHECK (partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_actor_roles()) && ARRAY['coordinator']::text[]);
CREATE POLICY mace_actions_status ON mace_actions FOR UPDATE
  USING (partnership_id = (SELECT lantern_partnership())
    AND ((SELECT lantern_actor_roles()) && ARRAY['coordinator']::text[] OR owner_agency_id = (SELECT lantern_agency())))
  WITH CHECK (partnership_id = (SELECT lantern_partnership())
    AND ((SELECT lantern_actor_roles()) && ARRAY['coordinator']::text[] OR owner_agency_id = (SELECT lantern_agency())));

-- Decisions: the chair; the analyst with an item they read (or none).
SELECT lantern_rls_table('mace_decisions', 'SELECT, INSERT');
CREATE POLICY mace_decisions_read ON mace_decisions FOR SELECT
  USING (partnership_id = (SELECT lantern_partnership())
    AND ((SELECT lantern_actor_roles()) && ARRAY['coordinator']::text[]
      OR ((SELECT lantern_actor_roles()) && ARRAY['analyst']::text[]
        AND (item_id IS NULL OR EXISTS (SELECT 1 FROM mace_agenda_items i WHERE i.id = item_id)))));
CREATE POLICY mace_decisions_chair ON mace_decisions FOR INSERT
  WITH CHECK (partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_actor_roles()) && ARRAY['coordinator']::text[]);
