-- Referrals of a child to a service in the partnership's services directory (directory_services,
-- 0250), recorded in the child's plan: when, by whom, and how it is going. A referral is part of the
-- child's record, so it follows the child-visibility policy of 0150: a row is visible only with
-- its child. Forced RLS; the application may add referrals and update their status, never delete.

CREATE TABLE service_referrals (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  child_id uuid NOT NULL,
  -- References directory_services, which the assurance migrations create later (0251 adds the key).
  service_id uuid NOT NULL,
  referred_on date NOT NULL,
  referred_by_name text NOT NULL CHECK (referred_by_name <> ''),
  referred_by_agency_id uuid NOT NULL,
  status text NOT NULL DEFAULT 'referred'
    CHECK (status IN ('referred', 'accepted', 'waiting', 'attending', 'completed', 'declined_by_service', 'declined_by_child', 'withdrawn')),
  outcome_note text NOT NULL DEFAULT '',
  recorded_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partnership_id, child_id) REFERENCES children (partnership_id, id),
  FOREIGN KEY (partnership_id, referred_by_agency_id) REFERENCES agencies (partnership_id, id)
);
CREATE INDEX service_referrals_child_idx ON service_referrals (partnership_id, child_id, referred_on DESC);

SELECT lantern_child_table('service_referrals', 'SELECT, INSERT, UPDATE (status, outcome_note, updated_at)');
