import { formatDate, formatDateTime } from '../../dates.ts';
import { translator, type Language } from '../../i18n/i18n.ts';
import type { PackItem } from './pack.ts';
import type { PackContent } from './service.ts';

/** An agenda item's words in a pack. */
export interface PackItemWords {
  label: string;
  reasons: string;
  restricted: string | null;
  minutes: string;
  actions: { description: string; owner: string; due: string; status: string }[];
  decisions: { kind: string; note: string }[];
}

/** Every word of a meeting pack, in the language chosen at download: the DOCX and the PDF say the same. */
export interface PackWords {
  language: Language;
  title: string;
  heading: string;
  details: string[];
  withheldNote: string | null;
  demoNote: string | null;
  sections: { heading: string; emptyText: string | null; items: PackItemWords[] }[];
  headings: { minutes: string; actions: string; decisions: string };
  headers: { action: string; owner: string; due: string; status: string; decision: string; note: string };
  nothing: { minutes: string; actions: string; decisions: string };
}

/** An item's reasons as a sentence: "High risk; newly escalated", "Linked to 3 children". */
export function reasonText(item: Pick<PackItem, 'reasons' | 'linkedChildren' | 'foundAtLinks' | 'chairReason'>, language: Language): string {
  const t = translator(language);
  return item.reasons
    .map((r) =>
      r === 'linked_children'
        ? t('mace.reasons.linked_children', { count: item.linkedChildren ?? 0 })
        : r === 'repeated_found_at'
          ? t('mace.reasons.repeated_found_at', { count: item.foundAtLinks ?? 0 })
          : r === 'chair_added'
            ? t('mace.reasons.chair_added', { reason: item.chairReason ?? '' })
            : t(`mace.reasons.${r}`),
    )
    .join('; ');
}

export function packText(content: PackContent, options: { printedAt: Date; by: string; demo: boolean }): PackWords {
  const { meeting, pack, language, recipient } = content;
  const t = translator(language);
  const p = (key: string, values?: Record<string, unknown>) => (values ? t(`mace.pack.${key}`, values) : t(`mace.pack.${key}`));
  const agencyName = new Map(content.agencies.map((a) => [a.id, a.name]));
  return {
    language,
    title: p('title'),
    heading: p('heading', { title: meeting.title, date: formatDate(meeting.held_on, language) }),
    details: [
      p('heldOn', { date: formatDate(meeting.held_on, language) }),
      ...(meeting.venue ? [p('venue', { venue: meeting.venue })] : []),
      p('chair', { name: meeting.chair_name ?? '' }),
      p('recipient', { agency: recipient.name }),
      p('printed', { when: formatDateTime(options.printedAt, language), who: options.by }),
    ],
    withheldNote: pack.withheld > 0 ? p('withheld', { count: pack.withheld }) : null,
    demoNote: options.demo ? `${t('common.demoTag')}: ${t('common.demoBanner')}` : null,
    sections: pack.sections.map((s) => ({
      heading: t(`mace.sections.${s.section}`),
      emptyText: s.items.length === 0 ? p('noItems') : null,
      items: s.items.map((i) => ({
        label: i.label ?? t('mace.withheldChild'),
        reasons: reasonText(i, language),
        restricted: i.restrictedTo.length > 0 ? p('restrictedTo', { agencies: i.restrictedTo.map((a) => agencyName.get(a) ?? '').join(', ') }) : null,
        minutes: i.minutes ?? '',
        actions: i.actions.map((a) => ({
          description: a.description,
          owner: a.ownerAgency,
          due: formatDate(a.dueOn, language),
          status: t(`mace.actionStatus.${a.status}`),
        })),
        decisions: i.decisions.map((d) => ({ kind: t(`mace.decisionKinds.${d.kind}`), note: d.note ?? '' })),
      })),
    })),
    headings: { minutes: p('minutes'), actions: p('actions'), decisions: p('decisions') },
    headers: { action: p('action'), owner: p('owner'), due: p('due'), status: p('status'), decision: p('decision'), note: p('note') },
    nothing: { minutes: p('noMinutes'), actions: p('noActions'), decisions: p('noDecisions') },
  };
}
