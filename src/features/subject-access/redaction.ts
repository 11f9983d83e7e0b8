import { createHash } from 'node:crypto';

/** One collected row: the table it came from and the row as JSON (lantern_sar_collect, migration 0640). */
export interface CollectedRow {
  table: string;
  row: Record<string, unknown>;
}

/** Another child or person of concern that the subject's rows name by id. */
export interface ThirdParty {
  kind: 'child' | 'person';
  id: string;
  givenName: string | null;
  familyName: string | null;
  aliases: string[] | null;
}

/** Why a field was flagged for the data protection officer's review, most serious first. */
export const flagReasons = ['third_party_record', 'third_party_name', 'person_name', 'free_text'] as const;
export type FlagReason = (typeof flagReasons)[number];

/** A field of a row that may be third-party information: redacted or released by the DPO's decision. */
export interface FlaggedItem {
  /** "table:row:field", the key a decision is stored under (subject_access_redactions.item_key). */
  key: string;
  table: string;
  rowKey: string;
  field: string;
  reason: FlagReason;
  /** What the field says (for the DPO's review only; never in a released export when redacted). */
  value: string;
}

/** What a redacted field says in the export. */
export const redactedText = '[redacted: third party]';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Fields that are the row's own machinery: never flagged. */
const structural = new Set(['id', 'partnership_id']);
/** A name of a member of staff or of someone else (who recorded, decided or took part). */
const nameField = /(^|_)(name|label)$|_by_name$|^officer_name$/;
/** Free text that may speak of others. */
const freeTextField = /(^|_)(body|notes?|text|description|summary|reason|details|comments?|narrative|content|minutes|outcome_notes|concerns?_text)$/;

/** A row's key within its table: its id, else a hash of the row (rows without an id, such as shares). */
export function rowKeyOf(row: Record<string, unknown>): string {
  const id = row.id;
  if (typeof id === 'string' || typeof id === 'number') return String(id);
  return `h${createHash('sha256').update(JSON.stringify(row)).digest('hex').slice(0, 16)}`;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The names by which a third party might appear in free text: full name, family name, aliases (3 letters or more). */
function namesOf(party: ThirdParty): string[] {
  const names = [[party.givenName, party.familyName].filter(Boolean).join(' '), party.familyName ?? '', ...(party.aliases ?? [])];
  return [...new Set(names.map((n) => n.trim()).filter((n) => n.length >= 3))];
}

const asText = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/**
 * Every field of the collected rows that may be third-party information: an id of another child or
 * person of concern; another's name in the text; a person's name (staff who recorded or decided,
 * someone who asked); free text, for review. The subject's own names in their own record are theirs.
 */
export function flagThirdParty(
  rows: readonly CollectedRow[],
  parties: readonly ThirdParty[],
  subject: { kind: 'child' | 'person'; id: string },
): FlaggedItem[] {
  const partyIds = new Set(parties.map((p) => p.id.toLowerCase()));
  const namePatterns = parties.flatMap(namesOf).map((n) => new RegExp(`(^|[^\\p{L}])${escape(n)}($|[^\\p{L}])`, 'iu'));
  const subjectTable = subject.kind === 'child' ? 'children' : 'persons_of_concern';
  const flagged: FlaggedItem[] = [];
  for (const { table, row } of rows) {
    const rowKey = rowKeyOf(row);
    const ownRecord = table === subjectTable && row.id === subject.id;
    for (const [field, value] of Object.entries(row)) {
      if (value === null || value === undefined || value === '' || structural.has(field)) continue;
      if (ownRecord && ['given_name', 'family_name', 'aliases', 'reference'].includes(field)) continue;
      const text = asText(value);
      const values = Array.isArray(value) ? value : [value];
      let reason: FlagReason | null = null;
      if (values.some((v) => typeof v === 'string' && uuidPattern.test(v) && partyIds.has(v.toLowerCase()))) reason = 'third_party_record';
      else if (namePatterns.some((p) => p.test(text))) reason = 'third_party_name';
      else if (typeof value === 'string' && nameField.test(field)) reason = 'person_name';
      else if (typeof value === 'string' && (freeTextField.test(field) || (value.length >= 40 && /\s/.test(value) && !uuidPattern.test(value))))
        reason = 'free_text';
      if (reason)
        flagged.push({ key: `${table}:${rowKey}:${field}`, table, rowKey, field, reason, value: text.length > 500 ? `${text.slice(0, 500)}…` : text });
    }
  }
  return flagged;
}

/** The export's content: rows by table, with every field decided "redact" (or not decided) replaced. */
export function applyRedactions(
  rows: readonly CollectedRow[],
  flagged: readonly FlaggedItem[],
  decisions: ReadonlyMap<string, 'redact' | 'release'>,
): { tables: Record<string, Record<string, unknown>[]>; redacted: number } {
  const toRedact = new Set(flagged.filter((f) => decisions.get(f.key) !== 'release').map((f) => f.key));
  const tables: Record<string, Record<string, unknown>[]> = {};
  let redacted = 0;
  for (const { table, row } of rows) {
    const rowKey = rowKeyOf(row);
    const out: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(row)) {
      if (toRedact.has(`${table}:${rowKey}:${field}`)) {
        out[field] = redactedText;
        redacted++;
      } else out[field] = value;
    }
    (tables[table] ??= []).push(out);
  }
  return { tables, redacted };
}
