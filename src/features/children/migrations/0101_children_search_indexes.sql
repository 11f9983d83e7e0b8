-- Name-key prefix search (family_key LIKE 'sm%') must use an index whatever the database collation:
-- text_pattern_ops indexes serve LIKE prefixes; RLS adds the partnership_id condition.
CREATE INDEX children_family_key_prefix_idx ON children (partnership_id, family_key text_pattern_ops);
CREATE INDEX children_given_key_prefix_idx ON children (partnership_id, given_key text_pattern_ops);
-- The children list (by family name) and the concern list (newest first).
CREATE INDEX children_list_idx ON children (partnership_id, status, family_name, given_name, id);
CREATE INDEX concerns_received_idx ON concerns (partnership_id, received_at DESC);
