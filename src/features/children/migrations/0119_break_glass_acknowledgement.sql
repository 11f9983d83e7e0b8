-- Acknowledging a break-glass grant is the data protection officer's act, not the grant holder's.
-- The grants' one policy (0100) asked every written row to carry the writer's own user id, so the
-- DPO's acknowledgement was refused (a 500), while the person who broke glass could have
-- acknowledged their own grant and cleared the DPO's alert. Now: everyone in the partnership may
-- read the grants (the restricted-record policies look them up), a person records only their own,
-- and only the DPO changes one (the acknowledgement columns, as granted in 0100).
DROP POLICY break_glass_grants_partnership ON break_glass_grants;
CREATE POLICY break_glass_grants_read ON break_glass_grants FOR SELECT
  USING (partnership_id = lantern_partnership());
CREATE POLICY break_glass_grants_record ON break_glass_grants FOR INSERT
  WITH CHECK (partnership_id = lantern_partnership() AND user_id = lantern_user());
CREATE POLICY break_glass_grants_acknowledge ON break_glass_grants FOR UPDATE
  USING (partnership_id = lantern_partnership() AND lantern_actor_roles() @> ARRAY['dpo']::text[])
  WITH CHECK (partnership_id = lantern_partnership() AND lantern_actor_roles() @> ARRAY['dpo']::text[]);
