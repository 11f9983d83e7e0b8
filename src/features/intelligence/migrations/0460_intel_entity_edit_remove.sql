-- Persons of concern, locations and objects are edited and removed (issue 12, finishing touches).
--
-- Each has an owning agency: a person's since 0300 (chosen on the form); a place's and an object's is
-- the agency of whoever recorded it (set on insert below, and for the rows already there from their
-- recorder). Only that agency's intelligence roles change a row: the permissive policy of 0300 (the
-- partnership's intelligence roles) is narrowed by a restrictive one for UPDATE, so a neighbour that reads
-- a shared person (0340, SELECT only) or another agency's analyst changes nothing.
--
-- Nothing is deleted: a removal is a reason, a time and who, kept for the audit trail; the lists, the
-- searches, the network and the MACE agenda leave a removed row out, and a removed row changes no more.

ALTER TABLE intel_locations ADD COLUMN owning_agency_id uuid,
  ADD FOREIGN KEY (partnership_id, owning_agency_id) REFERENCES agencies (partnership_id, id);
ALTER TABLE intel_objects ADD COLUMN owning_agency_id uuid,
  ADD FOREIGN KEY (partnership_id, owning_agency_id) REFERENCES agencies (partnership_id, id);

UPDATE intel_locations x SET owning_agency_id = a.id
  FROM users u JOIN agencies a ON a.id = u.agency_id
 WHERE u.id = x.created_by AND a.partnership_id = x.partnership_id;
UPDATE intel_objects x SET owning_agency_id = a.id
  FROM users u JOIN agencies a ON a.id = u.agency_id
 WHERE u.id = x.created_by AND a.partnership_id = x.partnership_id;

-- A new place or object is owned by the acting agency, or else (the seed, the CLI) by its recorder's.
-- Definer: lantern_app reads no user's agency.
CREATE FUNCTION lantern_intel_owning_agency() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF NEW.owning_agency_id IS NULL THEN
    NEW.owning_agency_id := coalesce(
      (SELECT a.id FROM agencies a WHERE a.id = lantern_agency() AND a.partnership_id = NEW.partnership_id),
      (SELECT a.id FROM users u JOIN agencies a ON a.id = u.agency_id WHERE u.id = NEW.created_by AND a.partnership_id = NEW.partnership_id));
  END IF;
  RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION lantern_intel_owning_agency() FROM PUBLIC;
CREATE TRIGGER intel_locations_owning_agency BEFORE INSERT ON intel_locations FOR EACH ROW EXECUTE FUNCTION lantern_intel_owning_agency();
CREATE TRIGGER intel_objects_owning_agency BEFORE INSERT ON intel_objects FOR EACH ROW EXECUTE FUNCTION lantern_intel_owning_agency();

ALTER TABLE persons_of_concern ADD COLUMN removed_at timestamptz, ADD COLUMN removed_by uuid REFERENCES users (id),
  ADD COLUMN removed_by_name text, ADD COLUMN removed_reason text,
  ADD CHECK ((removed_at IS NULL) = (removed_reason IS NULL) AND (removed_reason IS NULL OR btrim(removed_reason) <> ''));
ALTER TABLE intel_locations ADD COLUMN removed_at timestamptz, ADD COLUMN removed_by uuid REFERENCES users (id),
  ADD COLUMN removed_by_name text, ADD COLUMN removed_reason text,
  ADD CHECK ((removed_at IS NULL) = (removed_reason IS NULL) AND (removed_reason IS NULL OR btrim(removed_reason) <> ''));
ALTER TABLE intel_objects ADD COLUMN removed_at timestamptz, ADD COLUMN removed_by uuid REFERENCES users (id),
  ADD COLUMN removed_by_name text, ADD COLUMN removed_reason text,
  ADD CHECK ((removed_at IS NULL) = (removed_reason IS NULL) AND (removed_reason IS NULL OR btrim(removed_reason) <> ''));

-- What an edit may change (not the partnership, the owner, the recorder, an object's kind), and the removal.
GRANT UPDATE (given_name, family_name, aliases, date_of_birth, estimated_age, description, phone_numbers, social_media, markers, status,
  removed_at, removed_by, removed_by_name, removed_reason) ON persons_of_concern TO lantern_app;
GRANT UPDATE (name, kind, address, postcode, locality_id, business_type, licensing_authority, licence_number, description,
  removed_at, removed_by, removed_by_name, removed_reason) ON intel_locations TO lantern_app;
GRANT UPDATE (registration, make, model, colour, identifier, platform, description,
  removed_at, removed_by, removed_by_name, removed_reason) ON intel_objects TO lantern_app;

-- The owning agency's intelligence roles, on a row not yet removed.
CREATE POLICY persons_of_concern_owner_changes ON persons_of_concern AS RESTRICTIVE FOR UPDATE
  USING (removed_at IS NULL AND owning_agency_id = (SELECT lantern_agency()) AND (SELECT lantern_actor_roles()) && ARRAY['coordinator', 'analyst']::text[])
  WITH CHECK (owning_agency_id = (SELECT lantern_agency()));
CREATE POLICY intel_locations_owner_changes ON intel_locations AS RESTRICTIVE FOR UPDATE
  USING (removed_at IS NULL AND owning_agency_id = (SELECT lantern_agency()) AND (SELECT lantern_actor_roles()) && ARRAY['coordinator', 'analyst']::text[])
  WITH CHECK (owning_agency_id = (SELECT lantern_agency()));
CREATE POLICY intel_objects_owner_changes ON intel_objects AS RESTRICTIVE FOR UPDATE
  USING (removed_at IS NULL AND owning_agency_id = (SELECT lantern_agency()) AND (SELECT lantern_actor_roles()) && ARRAY['coordinator', 'analyst']::text[])
  WITH CHECK (owning_agency_id = (SELECT lantern_agency()));
