import { actorOf, type SessionUser } from '../../auth/service.ts';
import { withActor, type Act, type Tx } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { checkFileSize, frameworkFileLimits, type UploadRefusal } from '../../uploads/limits.ts';
import { runUploadParser } from '../../uploads/parse.ts';
import { englishName, frameworkNameOf, withCurrentTexts, type Framework } from './domain/frameworks.ts';
import { frameworkFileParser } from './framework-upload.ts';
import { LanternError, notFound } from '../../errors.ts';
import { frameworkFormValues, readFrameworkForm, type FrameworkFormValues } from './framework-form.ts';

/** The outcome and action ids that actions of plans on this framework refer to (archived ones too): they must stay. */
async function idsInUse(tx: Tx, frameworkId: string): Promise<Set<string>> {
  const rows = await tx
    .selectFrom('strategy_actions as a')
    .innerJoin('strategy_plans as p', 'p.id', 'a.plan_id')
    .select(['a.action_ref', 'a.outcome_ref'])
    .where('p.framework_id', '=', frameworkId)
    .execute();
  return new Set(rows.flatMap((r) => [r.action_ref, r.outcome_ref]));
}

/** Why a framework cannot be changed in the form: a built-in one's wording is Lantern's. */
export const builtInFramework = () => new LanternError('LANTERN_E_CONFLICT', 'a built-in framework is not changed here');

/** Strategy frameworks: the built-in ones and those a partnership uploads as JSON. */
/** Stores a partnership's own framework (from a file or the form) and audits its creation. */
async function insertFramework(tx: Tx, act: Act, user: SessionUser, framework: Framework, details: Record<string, unknown>) {
  const row = await tx
    .insertInto('strategy_frameworks')
    .values({
      partnership_id: user.partnershipId,
      key: framework.key,
      // The column keeps the English (for ordering and SQL readers); the definition has every language.
      name: englishName(framework),
      source: framework.source,
      is_example: framework.isExample,
      built_in: false,
      definition: JSON.stringify(framework),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await act.audit({ action: 'record.create', recordType: 'strategy_framework', recordId: row.id, details });
  return row;
}

export class FrameworkService {
  constructor(private readonly db: Database) {}

  /** Each framework with its texts as local texts (src/i18n/local-text.ts): a built-in one's as Lantern has them now. */
  listFrameworks(user: SessionUser) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const rows = await tx
        .selectFrom('strategy_frameworks')
        .select(['id', 'key', 'name', 'source', 'is_example', 'built_in', 'definition'])
        .orderBy('built_in', 'desc')
        .orderBy('name')
        .execute();
      return rows.map((row) => {
        const definition = withCurrentTexts(row.definition as unknown as Framework, row.built_in);
        return { ...row, name: frameworkNameOf({ ...row, definition }), definition };
      });
    });
  }

  /** A partnership defines its own framework by uploading JSON, checked by frameworkSchema (in a worker when the file is large). */
  async addFramework(user: SessionUser, content: Buffer): Promise<{ problems: string[]; moreProblems?: number; refusal?: UploadRefusal; id?: string }> {
    const size = checkFileSize(content.length, frameworkFileLimits);
    const read = size.ok ? await runUploadParser(frameworkFileParser, content.toString('utf8'), content.length) : size;
    if (!read.ok) return { problems: [], refusal: read.refusal };
    if ('problems' in read.value) return read.value;
    const framework = read.value.framework;
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const clash = await tx.selectFrom('strategy_frameworks').select('id').where('key', '=', framework.key).executeTakeFirst();
      if (clash) return { problems: [`A framework with the key “${framework.key}” is already loaded.`] };
      const row = await insertFramework(tx, act, user, framework, { key: framework.key });
      return { problems: [] as string[], id: row.id };
    });
  }

  /**
   * A framework for its edit form: the form's values, whether it is built in (then not changed here), and how
   * many plans use it with the ids their actions name (those stay).
   */
  frameworkForEdit(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const row = await tx.selectFrom('strategy_frameworks').select(['id', 'key', 'name', 'built_in', 'definition']).where('id', '=', id).executeTakeFirst();
      if (!row) throw notFound();
      const definition = withCurrentTexts(row.definition as unknown as Framework, row.built_in);
      const plans = await tx
        .selectFrom('strategy_plans')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('framework_id', '=', id)
        .executeTakeFirstOrThrow();
      const inUse = [...(await idsInUse(tx, id))].sort();
      return {
        id: row.id,
        key: row.key,
        builtIn: row.built_in,
        name: frameworkNameOf({ ...row, definition }),
        values: frameworkFormValues(definition),
        plans: Number(plans.n),
        inUse,
      };
    });
  }

  /** A framework made in the form (issue 15 §4): checked as an uploaded one is; its key unique in the partnership. */
  createFramework(user: SessionUser, values: FrameworkFormValues) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const read = readFrameworkForm(values);
      if ('errors' in read) return read;
      const framework = read.framework;
      const clash = await tx.selectFrom('strategy_frameworks').select('id').where('key', '=', framework.key).executeTakeFirst();
      if (clash) throw new LanternError('LANTERN_E_CONFLICT', 'framework key in use');
      const row = await insertFramework(tx, act, user, framework, { key: framework.key, form: true });
      return { id: row.id };
    });
  }

  /**
   * A partnership's own framework changed in the form. Its key stays; a built-in framework is not changed
   * here; the outcome and action ids that plans' actions name must stay (their wording may change).
   * Audited with the parts that changed.
   */
  updateFramework(user: SessionUser, id: string, values: FrameworkFormValues) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const row = await tx.selectFrom('strategy_frameworks').select(['id', 'key', 'built_in', 'definition']).where('id', '=', id).executeTakeFirst();
      if (!row) throw notFound();
      if (row.built_in) throw builtInFramework();
      const read = readFrameworkForm(values, { key: row.key, inUse: await idsInUse(tx, id) });
      if ('errors' in read) return read;
      const before = row.definition as unknown as Framework;
      const after = read.framework;
      const parts = ['name', 'source', 'isExample', 'returns', 'strands', 'outcomes'] as const;
      const changed = parts.filter((part) => JSON.stringify(before[part] ?? null) !== JSON.stringify(after[part] ?? null));
      if (changed.length === 0) return { id };
      await tx
        .updateTable('strategy_frameworks')
        .set({ name: englishName(after), source: after.source, is_example: after.isExample, definition: JSON.stringify(after) })
        .where('id', '=', id)
        .execute();
      const keys = (list: readonly { key?: string; id?: string }[]) => list.map((x) => x.key ?? x.id ?? '');
      const diff = (a: string[], b: string[]) => ({ added: b.filter((x) => !a.includes(x)), removed: a.filter((x) => !b.includes(x)) });
      await act.audit({
        action: 'record.update',
        recordType: 'strategy_framework',
        recordId: id,
        details: {
          key: row.key,
          change: 'edited',
          fields: changed,
          strands: diff(keys(before.strands), keys(after.strands)),
          outcomes: diff(keys(before.outcomes), keys(after.outcomes)),
        },
      });
      return { id };
    });
  }
}
