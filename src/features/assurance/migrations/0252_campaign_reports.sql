-- Reports that name an awareness campaign (issue 10, section 5): the public form offers the
-- partnerships' campaigns as how the reporter heard of it (migration 0125 stores the answer), and
-- the campaign pages count the reports that named each one.

-- A concern names a campaign of its own partnership.
ALTER TABLE concerns ADD CONSTRAINT concerns_heard_via_campaign_fk
  FOREIGN KEY (partnership_id, heard_via_campaign_id) REFERENCES campaigns (partnership_id, id);
CREATE INDEX concerns_heard_via_campaign_idx ON concerns (partnership_id, heard_via_campaign_id) WHERE heard_via_campaign_id IS NOT NULL;

-- The campaigns a member of the public may name: begun by today and running, or ended within the last year.
-- Titles only: no account reads them, so row-level security would show none.
CREATE FUNCTION lantern_public_campaigns(p_today date)
RETURNS TABLE (partnership_id uuid, id uuid, title text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT c.partnership_id, c.id, c.title
    FROM campaigns c
   WHERE c.starts_on <= p_today AND (c.ends_on IS NULL OR c.ends_on >= p_today - 365)
   ORDER BY c.title, c.id
$$;
REVOKE ALL ON FUNCTION lantern_public_campaigns(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_public_campaigns(date) TO lantern_app;

-- How many concerns of the acting partnership named each campaign: counts only, never which concerns,
-- for those who see campaigns but not the triage queue.
CREATE FUNCTION lantern_campaign_report_counts()
RETURNS TABLE (campaign_id uuid, reports integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT q.heard_via_campaign_id, count(*)::integer
    FROM concerns q
   WHERE q.partnership_id = lantern_partnership() AND q.heard_via_campaign_id IS NOT NULL
   GROUP BY q.heard_via_campaign_id
$$;
REVOKE ALL ON FUNCTION lantern_campaign_report_counts() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_campaign_report_counts() TO lantern_app;
