import { actorOf, type SessionUser } from '../../auth/service.ts';
import { withActor } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { checkFileSize, frameworkFileLimits, type UploadRefusal } from '../../uploads/limits.ts';
import { runUploadParser } from '../../uploads/parse.ts';
import { englishName, frameworkNameOf, withCurrentTexts, type Framework } from './domain/frameworks.ts';
import { frameworkFileParser } from './framework-upload.ts';

/** Strategy frameworks: the built-in ones and those a partnership uploads as JSON. */
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
      await act.audit({ action: 'record.create', recordType: 'strategy_framework', recordId: row.id, details: { key: framework.key } });
      return { problems: [] as string[], id: row.id };
    });
  }
}
