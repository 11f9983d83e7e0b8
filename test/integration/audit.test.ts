import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { recordAudit, recordExplicitAudit } from '../../src/audit/audit.ts';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import { sql } from 'kysely';
import { withSystem, withTrustedActor } from '../../src/db/context.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { dateFields, shownDate, signIn } from '../helpers/http.ts';

let ctx: TestContext;
let northmere: string;
let partnershipAgency: string;

before(async () => {
  ctx = await createTestContext();
  [{ id: northmere }] = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`)) as [{ id: string }];
  [{ id: partnershipAgency }] = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM agencies WHERE partnership_id = $1 AND kind = 'partnership'`, [
    northmere,
  ])) as [{ id: string }];
});
after(async () => ctx.close());

const actor = () => ({ partnershipId: northmere, agencyId: partnershipAgency, userId: null, roles: ['partnership_admin'], label: 'audit test' });

async function appendEvents(n: number) {
  await withSystem(ctx.handle.owner, async (tx) => {
    for (let i = 0; i < n; i++) {
      await recordExplicitAudit(tx, {
        partnershipId: northmere,
        actorUserId: null,
        actorLabel: `tester ${i}`,
        action: 'record.view',
        recordType: 'child',
        recordId: `c${i}`,
        details: { i },
        clientAddress: '192.0.2.1',
      });
    }
  });
}

/** Tampers as a database superuser would: with the append-only triggers switched off for one statement. */
async function tamper(statement: string, values: unknown[] = []) {
  await ctx.ownerQuery(`ALTER TABLE audit_events DISABLE TRIGGER USER`);
  try {
    await ctx.ownerQuery(statement, values);
  } finally {
    await ctx.ownerQuery(`ALTER TABLE audit_events ENABLE TRIGGER USER`);
  }
}

describe('audit trail', () => {
  test('rows chain and verify', async () => {
    await appendEvents(30);
    const result = await verifyAuditChain(ctx.handle.owner);
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.ok(result.rowsChecked >= 30);
  });

  test('the database refuses UPDATE, DELETE and TRUNCATE, even for the owner', async () => {
    await assert.rejects(ctx.ownerQuery(`UPDATE audit_events SET reason = 'edited'`), /append-only/);
    await assert.rejects(ctx.ownerQuery(`DELETE FROM audit_events`), /append-only/);
    await assert.rejects(ctx.ownerQuery(`TRUNCATE audit_events`), /append-only/);
    await assert.rejects(
      withTrustedActor(ctx.handle.owner, actor(), (tx) => tx.updateTable('audit_events').set({ reason: 'x' }).execute()),
      /permission denied|append-only/,
    );
  });

  test('a failed audit insert aborts the action it records', async () => {
    const [westbrook] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'westbrook'`);
    await assert.rejects(
      withTrustedActor(ctx.handle.owner, actor(), async (tx) => {
        await tx.insertInto('agencies').values({ partnership_id: northmere, kind: 'voluntary', name: 'Never saved' }).execute();
        // An audit row the database rejects (it names a partnership that is not the acting one) must take the change with it.
        await recordAudit(tx, { partnershipId: westbrook!.id, action: 'agency.create' });
      }),
    );
    const [n] = await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM agencies WHERE name = 'Never saved'`);
    assert.equal(n!.n, 0);
  });

  test('each audited action leaves exactly its row', async () => {
    const admin = await signIn(ctx.app, ctx.clock, ctx.account('admin.northmere@lantern.example'));
    const count = async (action: string) =>
      (await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE action = $1`, [action]))[0]!.n;
    const before = await count('agency.create');
    await admin.get('/admin/agencies');
    await admin.post('/admin/agencies', { name: 'Northmere Housing', kind: 'voluntary' });
    assert.equal(await count('agency.create'), before + 1);
    const dpo = await signIn(ctx.app, ctx.clock, ctx.account('dpo.northmere@lantern.example'));
    const views = await count('audit.view');
    assert.equal((await dpo.get('/audit?action=agency')).statusCode, 200);
    assert.equal(await count('audit.view'), views + 1);
  });

  test('random edits, deletions and reorderings are detected at the right row', async () => {
    await appendEvents(20);
    const kinds = ['edit', 'delete', 'swap', 'truncate-tail'] as const;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...kinds), fc.nat(), async (kind, pick) => {
        const chain = await ctx.ownerQuery<{ id: string; seq: string }>(`SELECT id::text, seq::text FROM audit_events WHERE chain_id = $1 ORDER BY seq`, [
          northmere,
        ]);
        const index = pick % (chain.length - 1);
        const target = chain[index]!;
        const next = chain[index + 1]!;
        // Snapshot in SQL (keeping microseconds) so each run starts from an intact chain.
        await ctx.ownerQuery(`DROP TABLE IF EXISTS audit_backup`);
        await ctx.ownerQuery(`CREATE TABLE audit_backup AS SELECT * FROM audit_events WHERE chain_id = '${northmere}'`);
        const expectedSeq = Number(target.seq);
        if (kind === 'edit') await tamper(`UPDATE audit_events SET actor_label = actor_label || ' (edited)' WHERE id = $1`, [target.id]);
        if (kind === 'delete') await tamper(`DELETE FROM audit_events WHERE id = $1`, [target.id]);
        if (kind === 'swap') {
          await tamper(`UPDATE audit_events SET seq = -1 WHERE id = $1`, [target.id]);
          await tamper(`UPDATE audit_events SET seq = $2 WHERE id = $1`, [next.id, target.seq]);
          await tamper(`UPDATE audit_events SET seq = $2 WHERE id = $1`, [target.id, next.seq]);
        }
        if (kind === 'truncate-tail') {
          await tamper(`DELETE FROM audit_events WHERE chain_id = $1 AND seq >= $2`, [northmere, target.seq]);
        }
        const result = await verifyAuditChain(ctx.handle.owner);
        try {
          assert.equal(result.ok, false, `${kind} is detected`);
          assert.equal(result.firstBreak!.chainId, northmere);
          assert.equal(result.firstBreak!.seq, expectedSeq, `${kind} at seq ${expectedSeq}: ${JSON.stringify(result.firstBreak)}`);
        } finally {
          await tamper(`DELETE FROM audit_events WHERE chain_id = $1`, [northmere]);
          await tamper(`INSERT INTO audit_events OVERRIDING SYSTEM VALUE SELECT * FROM audit_backup`);
          await ctx.ownerQuery(`DROP TABLE audit_backup`);
        }
        assert.equal((await verifyAuditChain(ctx.handle.owner)).ok, true, 'restored');
      }),
      { numRuns: 12, seed: 42 },
    );
  });
});

describe('the audit trail names records by reference', () => {
  test('a viewed child appears as its reference, restricted ones too; the filter takes a reference; others get nothing from the lookup', async () => {
    const [child] = await ctx.ownerQuery<{ id: string; reference: string }>(
      `SELECT id, reference FROM children WHERE partnership_id = $1 AND NOT restricted ORDER BY reference LIMIT 1`,
      [northmere],
    );
    const triage = await signIn(ctx.app, ctx.clock, ctx.account('triage.northmere@lantern.example'));
    assert.equal((await triage.get(`/children/${child!.id}`)).statusCode, 200);
    const dpo = await signIn(ctx.app, ctx.clock, ctx.account('dpo.northmere@lantern.example'));
    const trail = await dpo.get('/audit?action=record.view');
    assert.equal(trail.statusCode, 200);
    assert.match(trail.body, new RegExp(`>${child!.reference}</a>`), 'the reference, linked to its own trail');
    assert.doesNotMatch(trail.body, new RegExp(`<span class="govuk-body-s">${child!.id}</span>`), 'not the internal id');
    const byReference = await dpo.get(`/audit?recordId=${encodeURIComponent(child!.reference.toLowerCase())}`);
    assert.equal(byReference.statusCode, 200);
    assert.match(byReference.body, /Child/);
    assert.match(byReference.body, new RegExp(child!.reference));
    // The date filter is GOV.UK's date input: posted as boxes, kept in the address as dates, shown as boxes.
    const filtered = await dpo.post('/audit', { action: 'record.view', ...dateFields('from', '2026-01-05'), ...dateFields('to', '') });
    assert.equal(filtered.statusCode, 303);
    assert.equal(filtered.headers.location, '/audit?action=record.view&from=2026-01-05');
    const shown = await dpo.get('/audit?action=record.view&from=2026-01-05');
    assert.equal(shownDate(shown.body, 'from'), '2026-01-05');
    assert.equal(shownDate(shown.body, 'to'), '');
    const refused = await dpo.post('/audit', { action: 'record.view', 'from-day': '5', 'from-month': '', 'from-year': '2026' });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /href="#from-month">From date must include a month/);
    const [coordinator] = await ctx.ownerQuery<{ id: string; agency_id: string }>(
      `SELECT id, agency_id FROM users WHERE email = 'coordinator.northmere@lantern.example'`,
    );
    const seen = await withTrustedActor(
      ctx.handle.owner,
      { partnershipId: northmere, agencyId: coordinator!.agency_id, userId: coordinator!.id, roles: ['coordinator'], label: 'x' },
      (tx) => sql<{ id: string }>`SELECT id FROM lantern_audit_record_references(ARRAY[${child!.id}]::uuid[])`.execute(tx),
    );
    assert.equal(seen.rows.length, 0, 'only audit readers');
  });
});
