-- Record linkage (issue 14 §2): a child or a person of concern merged into another keeps its row, with
-- the record it was merged into, so that a merged-away reference redirects and an unmerge can restore it.
-- The merge itself (which rows move, how they are put back) is migration 0500 onwards; this migration
-- only names the columns every part of the feature reads: lists, searches and the duplicate queue leave
-- out a row whose merged_into_id is set.
ALTER TABLE children ADD COLUMN merged_into_id uuid, ADD COLUMN merged_at timestamptz,
  ADD FOREIGN KEY (partnership_id, merged_into_id) REFERENCES children (partnership_id, id),
  ADD CONSTRAINT children_merged_not_self CHECK (merged_into_id IS DISTINCT FROM id),
  ADD CONSTRAINT children_merged_has_time CHECK ((merged_into_id IS NULL) = (merged_at IS NULL));
ALTER TABLE persons_of_concern ADD COLUMN merged_into_id uuid, ADD COLUMN merged_at timestamptz,
  ADD FOREIGN KEY (partnership_id, merged_into_id) REFERENCES persons_of_concern (partnership_id, id),
  ADD CONSTRAINT persons_of_concern_merged_not_self CHECK (merged_into_id IS DISTINCT FROM id),
  ADD CONSTRAINT persons_of_concern_merged_has_time CHECK ((merged_into_id IS NULL) = (merged_at IS NULL));
CREATE INDEX children_merged_into_idx ON children (partnership_id, merged_into_id) WHERE merged_into_id IS NOT NULL;
CREATE INDEX persons_of_concern_merged_into_idx ON persons_of_concern (partnership_id, merged_into_id) WHERE merged_into_id IS NOT NULL;
