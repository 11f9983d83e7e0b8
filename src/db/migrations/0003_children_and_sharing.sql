-- The child record's core and record-level sharing between agencies. The children feature adds
-- the rest of the record in its own migrations; the policy shape here is what every
-- agency-owned table follows.

CREATE TABLE children (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  owning_agency_id uuid NOT NULL,
  reference text NOT NULL,
  given_name text NOT NULL,
  family_name text NOT NULL,
  date_of_birth date,
  restricted boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partnership_id, owning_agency_id) REFERENCES agencies (partnership_id, id),
  UNIQUE (partnership_id, reference),
  UNIQUE (partnership_id, id)
);

-- A record shared with another agency, on a recorded lawful basis.
CREATE TABLE record_shares (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  record_type text NOT NULL,
  record_id uuid NOT NULL,
  agency_id uuid NOT NULL,
  lawful_basis text NOT NULL,
  shared_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  FOREIGN KEY (partnership_id, agency_id) REFERENCES agencies (partnership_id, id),
  UNIQUE (record_type, record_id, agency_id)
);
CREATE INDEX record_shares_agency_idx ON record_shares (partnership_id, agency_id, record_type, record_id) WHERE revoked_at IS NULL;

-- True when the acting agency may see an agency-owned record.
CREATE FUNCTION lantern_agency_can_see(p_record_type text, p_record_id uuid, p_owning_agency uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT lantern_scope() = 'partnership'
      OR p_owning_agency = lantern_agency()
      OR EXISTS (SELECT 1 FROM record_shares s
                 WHERE s.record_type = p_record_type AND s.record_id = p_record_id
                   AND s.agency_id = lantern_agency() AND s.revoked_at IS NULL)
$$;
