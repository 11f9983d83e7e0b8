-- Cross-boundary persons on both MACE agendas (issue 12 §6): a person of concern shared under a live
-- agreement (intel_shares, migration 0340) is an Offenders item of the sharing partnership's meeting and
-- of the neighbour's, for the reason "cross_boundary". On the neighbour's agenda the item names a person
-- of the other partnership, so the item's entity check (0320) also accepts a person shared with the
-- meeting's partnership now — checked as the writer, who reads only the live shares made with it.
ALTER TABLE mace_agenda_items DROP CONSTRAINT mace_agenda_items_reasons_check;
ALTER TABLE mace_agenda_items ADD CONSTRAINT mace_agenda_items_reasons_check
  CHECK (reasons <@ ARRAY['high_risk', 'newly_escalated', 'linked_children', 'newly_identified', 'repeated_found_at', 'chair_added',
    'cross_boundary']::text[]);

CREATE OR REPLACE FUNCTION lantern_mace_item_entity() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  found_end boolean;
BEGIN
  IF NEW.entity_id IS NULL THEN
    RETURN NULL;
  END IF;
  found_end := CASE NEW.entity_kind
    WHEN 'child' THEN EXISTS (SELECT 1 FROM children WHERE id = NEW.entity_id AND partnership_id = NEW.partnership_id)
    WHEN 'person' THEN EXISTS (SELECT 1 FROM persons_of_concern WHERE id = NEW.entity_id AND partnership_id = NEW.partnership_id)
      OR lantern_intel_shared_with('person', NEW.entity_id, NEW.partnership_id)
    WHEN 'location' THEN EXISTS (SELECT 1 FROM intel_locations WHERE id = NEW.entity_id AND partnership_id = NEW.partnership_id)
  END;
  IF NOT found_end THEN
    RAISE EXCEPTION 'lantern: the % % of an agenda item is not a record of its partnership', NEW.entity_kind, NEW.entity_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;
