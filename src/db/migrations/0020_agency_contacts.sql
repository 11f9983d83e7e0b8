-- A named contact for each agency of a partnership (issue 10 §2; seed 004: "a named contact for each
-- partnership agency who can work together in a consistent way on the issues"). Shown with the
-- agencies involved with a child and in the directory; kept by the partnership's administrators
-- (/admin/agencies). One row per agency; a work contact, not a child's data.
CREATE TABLE agency_contacts (
  agency_id uuid PRIMARY KEY,
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  name text NOT NULL CHECK (name <> ''),
  role text NOT NULL CHECK (role <> ''),
  phone text NOT NULL CHECK (phone <> ''),
  secure_email text NOT NULL CHECK (secure_email <> ''),
  updated_by uuid REFERENCES users (id),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partnership_id, agency_id) REFERENCES agencies (partnership_id, id)
);

SELECT lantern_partnership_table('agency_contacts', 'SELECT, INSERT, UPDATE');
