-- Intelligence entities and links (issue 12 §1, POLE): persons of concern, locations, objects (vehicles,
-- phones, online accounts) and the links between any two of them and children.
--
-- These are among the most sensitive rows Lantern holds: who is suspected of exploiting children, and
-- where. Each table is the acting partnership's, and only the roles that work with intelligence (the
-- police analyst and the exploitation co-ordinator: authz/policy.ts intelligence.read) read or write them
-- — the same rule as the routes', enforced again here, so a practitioner's or a school's context reads
-- none of them whatever query it runs.
--
-- Nothing is deleted or edited by a request in this first slice: rows are added (SELECT, INSERT).

CREATE TABLE persons_of_concern (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  given_name text,
  family_name text,
  -- Aliases and nicknames ("Dean", "D"), as the children and witnesses say them.
  aliases text[] NOT NULL DEFAULT '{}',
  date_of_birth date,
  estimated_age integer CHECK (estimated_age BETWEEN 10 AND 100),
  description text,
  phone_numbers text[] NOT NULL DEFAULT '{}',
  social_media text[] NOT NULL DEFAULT '{}',
  markers text[] NOT NULL DEFAULT '{}'
    CHECK (markers <@ ARRAY['offers_lifts', 'supplies_drugs_alcohol', 'uses_hotel_rooms', 'gives_gifts_money', 'online_contact']::text[]),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'charged', 'convicted', 'deceased', 'no_further_action')),
  owning_agency_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users (id),
  created_by_name text,
  FOREIGN KEY (partnership_id, owning_agency_id) REFERENCES agencies (partnership_id, id),
  UNIQUE (partnership_id, id),
  -- Someone is known by a name or at least a nickname.
  CHECK (coalesce(given_name, family_name) IS NOT NULL OR cardinality(aliases) > 0)
);
CREATE INDEX persons_of_concern_partnership_idx ON persons_of_concern (partnership_id, created_at DESC);

CREATE TABLE intel_locations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('address', 'takeaway', 'hotel', 'taxi_rank', 'taxi_firm', 'park', 'shop', 'house', 'school_gate', 'other')),
  address text,
  postcode text,
  locality_id uuid,
  business_type text,
  -- Licensed premises and taxi or private-hire firms: who licenses them and the licence's number.
  licensing_authority text,
  licence_number text,
  description text,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users (id),
  created_by_name text,
  FOREIGN KEY (partnership_id, locality_id) REFERENCES localities (partnership_id, id),
  UNIQUE (partnership_id, id)
);
CREATE INDEX intel_locations_partnership_idx ON intel_locations (partnership_id, created_at DESC);

CREATE TABLE intel_objects (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  kind text NOT NULL CHECK (kind IN ('vehicle', 'phone', 'online_account')),
  -- A vehicle's registration as typed, and its key: upper case, letters and digits only, so 'ab12 cde',
  -- 'AB12CDE' and 'AB-12-CDE' are one vehicle (features/intelligence/vrm.ts says the same in TypeScript).
  registration text,
  vrm_key text GENERATED ALWAYS AS (nullif(upper(regexp_replace(normalize(registration, NFKC), '[^A-Za-z0-9]', '', 'g')), '')) STORED,
  make text,
  model text,
  colour text,
  -- A phone's number, an online account's platform and handle.
  identifier text,
  platform text,
  description text,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users (id),
  created_by_name text,
  UNIQUE (partnership_id, id),
  CHECK (kind <> 'vehicle' OR registration IS NOT NULL),
  CHECK (kind = 'vehicle' OR (registration IS NULL AND make IS NULL AND model IS NULL AND colour IS NULL)),
  CHECK (kind = 'vehicle' OR identifier IS NOT NULL)
);
CREATE INDEX intel_objects_partnership_idx ON intel_objects (partnership_id, created_at DESC);
-- One vehicle per registration in a partnership.
CREATE UNIQUE INDEX intel_objects_vrm_idx ON intel_objects (partnership_id, vrm_key) WHERE vrm_key IS NOT NULL;

-- A link between any two of a child, a person of concern, a location and an object, in one direction
-- (a person "drives" a vehicle), with when, where the information came from and how sure it is.
CREATE TABLE intel_links (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  from_kind text NOT NULL CHECK (from_kind IN ('child', 'person', 'location', 'object')),
  from_id uuid NOT NULL,
  to_kind text NOT NULL CHECK (to_kind IN ('child', 'person', 'location', 'object')),
  to_id uuid NOT NULL,
  relation text NOT NULL CHECK (relation IN ('seen_with', 'associates_with', 'drives', 'found_at', 'frequents', 'lives_at', 'works_at', 'uses_phone',
    'uses_account', 'owns')),
  first_seen_on date,
  last_seen_on date,
  source text NOT NULL,
  confidence text NOT NULL CHECK (confidence IN ('low', 'medium', 'high')),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users (id),
  created_by_name text,
  CHECK (from_id <> to_id),
  CHECK (last_seen_on IS NULL OR first_seen_on IS NULL OR last_seen_on >= first_seen_on)
);
CREATE INDEX intel_links_from_idx ON intel_links (from_id, created_at DESC);
CREATE INDEX intel_links_to_idx ON intel_links (to_id, created_at DESC);

-- A link's ends are rows of its own partnership (no foreign key can name "one of four tables"). After
-- the row is written, so that row-level security refuses another partnership's link first; run as the
-- writer, so a link can only be made to what the writer may see.
CREATE FUNCTION lantern_intel_link_ends() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  e record;
  found_end boolean;
BEGIN
  FOR e IN SELECT * FROM (VALUES (NEW.from_kind, NEW.from_id), (NEW.to_kind, NEW.to_id)) v (kind, id) LOOP
    found_end := CASE e.kind
      WHEN 'child' THEN EXISTS (SELECT 1 FROM children WHERE id = e.id AND partnership_id = NEW.partnership_id)
      WHEN 'person' THEN EXISTS (SELECT 1 FROM persons_of_concern WHERE id = e.id AND partnership_id = NEW.partnership_id)
      WHEN 'location' THEN EXISTS (SELECT 1 FROM intel_locations WHERE id = e.id AND partnership_id = NEW.partnership_id)
      WHEN 'object' THEN EXISTS (SELECT 1 FROM intel_objects WHERE id = e.id AND partnership_id = NEW.partnership_id)
    END;
    IF NOT found_end THEN
      RAISE EXCEPTION 'lantern: the % % of a link is not a record of its partnership', e.kind, e.id USING ERRCODE = 'foreign_key_violation';
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER intel_links_ends AFTER INSERT OR UPDATE ON intel_links FOR EACH ROW EXECUTE FUNCTION lantern_intel_link_ends();

-- Row-level security: the acting partnership's rows, and only for the intelligence roles.
SELECT lantern_rls_table('persons_of_concern', 'SELECT, INSERT');
SELECT lantern_standard_policy('persons_of_concern', '_intelligence', 'partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_actor_roles()) && ARRAY[''coordinator'', ''analyst'']::text[]');
SELECT lantern_rls_table('intel_locations', 'SELECT, INSERT');
SELECT lantern_standard_policy('intel_locations', '_intelligence', 'partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_actor_roles()) && ARRAY[''coordinator'', ''analyst'']::text[]');
SELECT lantern_rls_table('intel_objects', 'SELECT, INSERT');
SELECT lantern_standard_policy('intel_objects', '_intelligence', 'partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_actor_roles()) && ARRAY[''coordinator'', ''analyst'']::text[]');
SELECT lantern_rls_table('intel_links', 'SELECT, INSERT');
SELECT lantern_standard_policy('intel_links', '_intelligence', 'partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_actor_roles()) && ARRAY[''coordinator'', ''analyst'']::text[]');
