-- The children list filtered by a flag, fast however rare the flag (issue 10 §3, docs/PERFORMANCE.md).
--
-- Under row-level security only leakproof conditions can use an index ahead of the policies: the array
-- operator && of 0180's filter is not leakproof, so a rare flag (1% of children) walked the whole name
-- order to find a page. `'kind' = ANY(open_flags)` compares text with =, which is leakproof, so it can
-- choose a partial index: one per kind, in the list's name order, holding only the children with that
-- flag open. The list writes each chosen kind as a literal (cohort.ts), so even a generic plan of a
-- prepared statement matches the index's predicate. Each index holds only its flag's children.
CREATE INDEX children_flag_looked_after_idx ON children (status, family_name, given_name, id) WHERE 'looked_after' = ANY (open_flags);
CREATE INDEX children_flag_child_protection_plan_idx ON children (status, family_name, given_name, id) WHERE 'child_protection_plan' = ANY (open_flags);
CREATE INDEX children_flag_child_in_need_idx ON children (status, family_name, given_name, id) WHERE 'child_in_need' = ANY (open_flags);
CREATE INDEX children_flag_missing_education_idx ON children (status, family_name, given_name, id) WHERE 'missing_education' = ANY (open_flags);
CREATE INDEX children_flag_elective_home_education_idx ON children (status, family_name, given_name, id) WHERE 'elective_home_education' = ANY (open_flags);
CREATE INDEX children_flag_youth_justice_idx ON children (status, family_name, given_name, id) WHERE 'youth_justice' = ANY (open_flags);
CREATE INDEX children_flag_substance_misuse_idx ON children (status, family_name, given_name, id) WHERE 'substance_misuse' = ANY (open_flags);
CREATE INDEX children_flag_sexual_health_idx ON children (status, family_name, given_name, id) WHERE 'sexual_health' = ANY (open_flags);
CREATE INDEX children_flag_trafficking_nrm_idx ON children (status, family_name, given_name, id) WHERE 'trafficking_nrm' = ANY (open_flags);
CREATE INDEX children_flag_send_idx ON children (status, family_name, given_name, id) WHERE 'send' = ANY (open_flags);
