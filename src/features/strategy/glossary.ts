import { actorOf, type SessionUser } from '../../auth/service.ts';
import { withActor } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { notFound } from '../../errors.ts';
import { StrategyValidationError } from './errors.ts';
import type { GlossaryForm } from './schema.ts';

/** The partnership's glossary: the terms the SMART check expands. */
export class GlossaryService {
  constructor(private readonly db: Database) {}

  listGlossary(user: SessionUser) {
    return withActor(this.db, actorOf(user), (tx) => tx.selectFrom('strategy_glossary').select(['id', 'term', 'expansion']).orderBy('term').execute());
  }

  addGlossaryTerm(user: SessionUser, form: GlossaryForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const clash = await tx.selectFrom('strategy_glossary').select('id').where('term', '=', form.term).executeTakeFirst();
      if (clash) throw new StrategyValidationError('term', 'strategy.validation.termInUse');
      const row = await tx
        .insertInto('strategy_glossary')
        .values({ partnership_id: user.partnershipId, term: form.term, expansion: form.expansion })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: 'strategy_glossary', recordId: row.id, details: { ...form } });
    });
  }

  removeGlossaryTerm(user: SessionUser, termId: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const removed = await tx.deleteFrom('strategy_glossary').where('id', '=', termId).returning(['term']).executeTakeFirst();
      if (!removed) throw notFound();
      await act.audit({ action: 'record.update', recordType: 'strategy_glossary', recordId: termId, details: { removed: removed.term } });
    });
  }
}
