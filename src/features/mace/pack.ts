import type { ActionStatus, DecisionKind, ItemReason, VoltSection } from './schema.ts';
import { voltSections } from './schema.ts';

/** An agenda item as the meeting page and the pack show it. */
export interface AgendaItem {
  id: string;
  section: VoltSection;
  entityKind: 'child' | 'person' | 'location' | null;
  entityId: string | null;
  /** "Robin Example (NM-1004)", "Dean, D", "Ferry Road Grill", the theme; null when the reader may not see the child. */
  label: string | null;
  reasons: ItemReason[];
  linkedChildren: number | null;
  foundAtLinks: number | null;
  riskLevel: string | null;
  chairReason: string | null;
  restrictedTo: string[];
  minutes: string | null;
  removedAt: Date | null;
  removedReason: string | null;
  removedByName: string | null;
}

export interface MaceAction {
  id: string;
  itemId: string | null;
  description: string;
  ownerAgencyId: string;
  ownerAgency: string;
  dueOn: string;
  status: ActionStatus;
}

export interface MaceDecision {
  id: string;
  itemId: string | null;
  kind: DecisionKind;
  note: string | null;
  createdAt: Date;
}

export interface PackItem extends AgendaItem {
  actions: MaceAction[];
  decisions: MaceDecision[];
}

export interface MeetingPack {
  sections: { section: VoltSection; items: PackItem[] }[];
  /** Items on the agenda restricted to agencies the recipient is not one of: left out, and counted. */
  withheld: number;
  /** Actions and decisions of the meeting that belong to no item. */
  actions: MaceAction[];
  decisions: MaceDecision[];
}

/** Whether an agency may see an item: unrestricted, or restricted to agencies it is one of. */
export const visibleTo = (item: Pick<AgendaItem, 'restrictedTo'>, agencyId: string): boolean =>
  item.restrictedTo.length === 0 || item.restrictedTo.includes(agencyId);

/**
 * The meeting pack for one recipient agency: the agenda by VOLT section (items the chair removed are
 * not on it), each item with its minutes, actions and decisions, and the items restricted to other
 * agencies withheld — with their actions and decisions — and counted, so the pack says "n items withheld".
 */
export function packFor(items: readonly AgendaItem[], actions: readonly MaceAction[], decisions: readonly MaceDecision[], agencyId: string): MeetingPack {
  const onAgenda = items.filter((i) => i.removedAt === null);
  const shown = onAgenda.filter((i) => visibleTo(i, agencyId));
  const withItem = (itemId: string) => ({
    actions: actions.filter((a) => a.itemId === itemId),
    decisions: decisions.filter((d) => d.itemId === itemId),
  });
  return {
    sections: voltSections.map((section) => ({
      section,
      items: shown.filter((i) => i.section === section).map((i) => ({ ...i, ...withItem(i.id) })),
    })),
    withheld: onAgenda.length - shown.length,
    actions: actions.filter((a) => a.itemId === null),
    decisions: decisions.filter((d) => d.itemId === null),
  };
}
