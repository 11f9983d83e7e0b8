-- The list of what refers to a child or a person (lantern_merge_columns, migrations 0500 and 0570) names
-- the data-rights tables (0645). None is moved by a merge: a request, a supplementary statement and a
-- restriction concern the record as it was when they were made. A restricted record is not merged either
-- way: the merge changes it (or moves casework onto it), which the guard of 0645 refuses.

CREATE OR REPLACE FUNCTION lantern_merge_columns()
RETURNS TABLE (kind text, table_name text, column_name text, kind_column text, kind_value text, handling text)
LANGUAGE sql IMMUTABLE AS $$
  VALUES
    ('child', 'child_addresses', 'child_id', NULL, NULL, 'move'),
    ('child', 'child_involvements', 'child_id', NULL, NULL, 'move'),
    ('child', 'child_status_events', 'child_id', NULL, NULL, 'move'),
    ('child', 'concerns', 'child_id', NULL, NULL, 'move'),
    ('child', 'child_partnership_shares', 'child_id', NULL, NULL, 'move'),
    ('child', 'restriction_changes', 'child_id', NULL, NULL, 'move'),
    ('child', 'child_flags', 'child_id', NULL, NULL, 'move'),
    ('child', 'child_flag_changes', 'child_id', NULL, NULL, 'move'),
    ('child', 'risk_assessments', 'child_id', NULL, NULL, 'move'),
    ('child', 'missing_episodes', 'child_id', NULL, NULL, 'move'),
    ('child', 'return_interviews', 'child_id', NULL, NULL, 'move'),
    ('child', 'strategy_meetings', 'child_id', NULL, NULL, 'move'),
    ('child', 'plan_actions', 'child_id', NULL, NULL, 'move'),
    ('child', 'case_notes', 'child_id', NULL, NULL, 'move'),
    ('child', 'service_referrals', 'child_id', NULL, NULL, 'move'),
    ('child', 'child_risk_carried_over', 'child_id', NULL, NULL, 'move'),
    ('child', 'intel_disruption_children', 'linked_child_id', NULL, NULL, 'move'),
    ('child', 'intel_links', 'from_id', 'from_kind', 'child', 'move'),
    ('child', 'intel_links', 'to_id', 'to_kind', 'child', 'move'),
    ('child', 'intel_event_links', 'entity_id', 'entity_kind', 'child', 'move'),
    ('child', 'intel_report_links', 'entity_id', 'entity_kind', 'child', 'move'),
    ('child', 'mace_agenda_items', 'entity_id', 'entity_kind', 'child', 'move'),
    ('child', 'record_shares', 'record_id', 'record_type', 'child', 'move'),
    -- A break-glass grant opened one restricted record in an emergency: it is not widened to another.
    ('child', 'break_glass_grants', 'child_id', NULL, NULL, 'keep'),
    ('child', 'children', 'merged_into_id', NULL, NULL, 'keep'),
    ('child', 'risk_assessment_current', 'child_id', NULL, NULL, 'derived'),
    ('child', 'strategy_meeting_current', 'child_id', NULL, NULL, 'derived'),
    ('person', 'intel_disruptions', 'target_person_id', NULL, NULL, 'move'),
    ('person', 'intel_links', 'from_id', 'from_kind', 'person', 'move'),
    ('person', 'intel_links', 'to_id', 'to_kind', 'person', 'move'),
    ('person', 'intel_event_links', 'entity_id', 'entity_kind', 'person', 'move'),
    ('person', 'intel_report_links', 'entity_id', 'entity_kind', 'person', 'move'),
    ('person', 'intel_shares', 'entity_id', 'entity_kind', 'person', 'move'),
    ('person', 'mace_agenda_items', 'entity_id', 'entity_kind', 'person', 'move'),
    ('person', 'persons_of_concern', 'merged_into_id', NULL, NULL, 'keep'),
    -- none: a reference the merge leaves alone and does not inventory (issue 14 and 15 tables after 0500).
    -- A case audit's sample records which child was drawn, as it was drawn: the audit's history.
    ('child', 'case_audit_sample', 'child_id', NULL, NULL, 'none'),
    -- A question to a neighbour was about the record asked from; the holder's encodings are refreshed from
    -- the records (a merged-away child is dropped at the next question).
    ('child', 'linkage_asks', 'child_id', NULL, NULL, 'none'),
    ('child', 'linkage_encodings', 'child_id', NULL, NULL, 'none'),
    -- A duplicate pair is the decision about two records; after a merge it names the merged-away one, which
    -- the queue leaves out. The model's parameters and the runs name a kind of record, not a record.
    ('child', 'duplicate_pairs', 'left_id', 'record_kind', 'child', 'none'),
    ('child', 'duplicate_pairs', 'right_id', 'record_kind', 'child', 'none'),
    ('person', 'duplicate_pairs', 'left_id', 'record_kind', 'person', 'none'),
    ('person', 'duplicate_pairs', 'right_id', 'record_kind', 'person', 'none'),
    ('child', 'linkage_parameters', 'record_kind', 'record_kind', 'child', 'none'),
    ('person', 'linkage_parameters', 'record_kind', 'record_kind', 'person', 'none'),
    ('child', 'linkage_runs', 'record_kind', 'record_kind', 'child', 'none'),
    ('person', 'linkage_runs', 'record_kind', 'record_kind', 'person', 'none'),
    -- Data subjects' rights (0645): decisions about the record as it was.
    -- A subject access request about the record (migration 0640): the request as it was made.
    ('child', 'subject_access_requests', 'subject_id', 'subject_kind', 'child', 'none'),
    ('person', 'subject_access_requests', 'subject_id', 'subject_kind', 'person', 'none'),
    ('child', 'data_rights_requests', 'child_id', NULL, NULL, 'none'),
    ('person', 'data_rights_requests', 'person_id', NULL, NULL, 'none'),
    ('child', 'record_statements', 'child_id', NULL, NULL, 'none'),
    ('person', 'record_statements', 'person_id', NULL, NULL, 'none'),
    ('child', 'processing_restrictions', 'child_id', NULL, NULL, 'none'),
    ('person', 'processing_restrictions', 'person_id', NULL, NULL, 'none')
$$;
