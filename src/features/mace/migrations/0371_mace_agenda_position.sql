-- The order of a section of a MACE agenda, fixed when the agenda is built (issue 12 §4): a meeting's
-- page shows a section fifty items at a time, and ordering a page by the children's names and risk
-- would read every child on the agenda (45,000 at high risk in the bench's partnership of 100,000)
-- under the children policies to show fifty. The build numbers what it adds in the order the chair
-- reads it (victims: high risk first, then by family and given name; offenders and locations: most
-- linked children first, then by name), after what is there already; an item the chair adds has no
-- number and leads its section. The agenda is a snapshot of the build: a child renamed or re-assessed
-- later keeps their place until the next meeting's agenda.
ALTER TABLE mace_agenda_items ADD COLUMN position integer;
CREATE INDEX mace_agenda_items_position_idx ON mace_agenda_items (meeting_id, section, position NULLS FIRST, id) WHERE removed_at IS NULL;
