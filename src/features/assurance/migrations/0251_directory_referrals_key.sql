-- A referral recorded in a child's plan (service_referrals, 0160) names a service of the directory
-- (0250). The casework migration runs before the directory exists, so the key is added here.
ALTER TABLE directory_services ADD CONSTRAINT directory_services_partnership_id_key UNIQUE (partnership_id, id);
ALTER TABLE service_referrals
  ADD CONSTRAINT service_referrals_service_fkey FOREIGN KEY (partnership_id, service_id) REFERENCES directory_services (partnership_id, id);
