-- A person's sign-in history (0635) is kept as long as the DPO's security alerts (0540): the hourly
-- prune removes both past the same number of days (365, src/security-events.ts), so the table does
-- not grow for ever and the account page never shows what the alerts have let go.
CREATE OR REPLACE FUNCTION lantern_prune_security_events(p_days int) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  removed bigint;
  history bigint;
BEGIN
  DELETE FROM security_events WHERE occurred_at < now() - make_interval(days => greatest(p_days, 90));
  GET DIAGNOSTICS removed = ROW_COUNT;
  DELETE FROM sign_in_events WHERE occurred_at < now() - make_interval(days => greatest(p_days, 90));
  GET DIAGNOSTICS history = ROW_COUNT;
  RETURN removed + history;
END
$$;
REVOKE ALL ON FUNCTION lantern_prune_security_events(int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_prune_security_events(int) TO lantern_app;
