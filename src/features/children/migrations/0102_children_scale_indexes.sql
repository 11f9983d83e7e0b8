-- Found with the 200,000-child benchmark (docs/PERFORMANCE.md).
--
-- Row-level security on children ORs two permissive policies (own partnership and agency, or
-- shared with the acting partnership), so "partnership_id = the acting partnership" is never a
-- condition of its own and cannot lead an index. Lists and searches of children therefore need
-- indexes that do not start with partnership_id; policy conditions are checked on the rows found.
--
-- The children list (by name, a page at a time): read in order and stop after a page, instead of
-- sorting every child of both partnerships.
CREATE INDEX children_list_order_idx ON children (status, family_name, given_name, id);
CREATE INDEX children_name_order_idx ON children (family_name, given_name, id);
-- Near-duplicate search: name-key prefixes (as leakproof ~>=~ / ~<~ ranges, see service.ts) and
-- date of birth.
CREATE INDEX children_family_key_pattern_idx ON children (family_key text_pattern_ops);
CREATE INDEX children_given_key_pattern_idx ON children (given_key text_pattern_ops);
CREATE INDEX children_date_of_birth_idx ON children (date_of_birth);
-- The triage queue's "recently decided" list (newest decision first, 50 rows) sorted every decided
-- concern of the partnership; this partial index hands them over in order.
CREATE INDEX concerns_decided_idx ON concerns (partnership_id, decided_at DESC) WHERE decision IS NOT NULL;
