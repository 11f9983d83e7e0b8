import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { withTrustedActor, type TrustedActor } from '../../src/db/context.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';

let ctx: TestContext;
let northmere: string;
let westbrook: string;
const agencies: Record<string, { id: string; partnership_id: string; kind: string }> = {};

// Global tables hold no personal data and no partnership's records.
// lantern_request_context is each connection's acting context (migration 0009), readable by nobody but the owner.
const globalTables = new Set(['lantern_migrations', 'audit_chain_heads', 'sign_in_throttle', 'partnerships', 'lantern_request_context']);

before(async () => {
  ctx = await createTestContext();
  const ps = await ctx.ownerQuery<{ id: string; code: string }>(`SELECT id, code FROM partnerships`);
  northmere = ps.find((p) => p.code === 'northmere')!.id;
  westbrook = ps.find((p) => p.code === 'westbrook')!.id;
  for (const a of await ctx.ownerQuery<{ id: string; partnership_id: string; kind: string }>(`SELECT id, partnership_id, kind FROM agencies`)) {
    agencies[`${a.partnership_id === northmere ? 'n' : 'w'}:${a.kind}`] = a;
  }
  // A child owned by each partnership's children's services, so every table has rows on both sides.
  for (const [key, p] of [['n', northmere], ['w', westbrook]] as const) {
    await ctx.ownerQuery(`INSERT INTO children (partnership_id, owning_agency_id, reference, given_name, family_name) VALUES ($1, $2, $3, 'Test', 'Child')`,
      [p, agencies[`${key}:childrens_services`]!.id, `RLS-${key}`]);
  }
  // Rows on both sides of every table: sessions, audit events, shares, agreements and grants.
  for (const [key, p] of [['n', northmere], ['w', westbrook]] as const) {
    const [u] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM users WHERE partnership_id = $1 ORDER BY email LIMIT 1`, [p]);
    await ctx.ownerQuery(`INSERT INTO sessions (id, partnership_id, user_id, acting_partnership_id, stage, created_at, last_seen_at, absolute_expires_at)
      VALUES ($3, $1, $2, $1, 'signed_in', now(), now(), now() + interval '1 hour')`, [p, u!.id, `rls-${key}`]);
    const [event] = await ctx.ownerQuery<{ id: string; occurred_at: Date }>(`INSERT INTO audit_events (partnership_id, chain_id, seq, actor_label, action, prev_hash, hash)
      VALUES ($1, $1, 0, 'rls test', 'record.view', '', '') RETURNING id, occurred_at`, [p]);
    const [child] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM children WHERE reference = $1`, [`RLS-${key}`]);
    await ctx.ownerQuery(`INSERT INTO record_shares (partnership_id, record_type, record_id, agency_id, lawful_basis) VALUES ($1, 'child', $2, $3, 'test basis')`,
      [p, child!.id, agencies[`${key}:health`]!.id]);
    await ctx.ownerQuery(`INSERT INTO audit_disclosures (partnership_id, record_id, audit_event_id, occurred_at) VALUES ($1, $2, $3, $4)`,
      [p, child!.id, event!.id, event!.occurred_at]);
    await ctx.ownerQuery(`INSERT INTO restriction_changes (partnership_id, child_id, child_reference, change, reason, changed_by)
      VALUES ($1, $2, $3, 'lifted', 'test reason', $4)`, [p, child!.id, `RLS-${key}`, u!.id]);
  }
  const [nUser] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM users WHERE email = 'analyst.northmere@lantern.example'`);
  const [agreement] = await ctx.ownerQuery<{ id: string }>(`INSERT INTO sharing_agreements (partnership_id, recipient_partnership_id, purpose, lawful_basis, starts_on)
    VALUES ($1, $2, 'reciprocal test', 'test basis', '2025-01-01') RETURNING id`, [westbrook, northmere]);
  // An agreement between Westbrook and a third partnership, which Northmere must never see.
  const [third] = await ctx.ownerQuery<{ id: string }>(`INSERT INTO partnerships (code, name, nation) VALUES ('eastholme', 'Eastholme test partnership', 'england') RETURNING id`);
  await ctx.ownerQuery(`INSERT INTO sharing_agreements (partnership_id, recipient_partnership_id, purpose, lawful_basis, starts_on)
    VALUES ($1, $2, 'not for northmere', 'test basis', '2025-01-01')`, [westbrook, third!.id]);
  await ctx.ownerQuery(`INSERT INTO partnership_access_grants (partnership_id, agreement_id, user_id, roles) VALUES ($1, $2, $3, '{analyst}')`, [westbrook, agreement!.id, nUser!.id]);
});
after(async () => ctx.close());

/** A made-up actor: partnership-wide scope comes from a partnership-wide role (triage), agency scope from a practitioner's. */
const actor = (partnershipId: string, agencyId: string, scope: 'partnership' | 'agency' = 'agency'): TrustedActor => ({
  userId: null, partnershipId, agencyId, roles: [scope === 'partnership' ? 'triage_worker' : 'practitioner'], label: 'rls test',
});
const withActor = <T>(_db: unknown, as: TrustedActor, fn: Parameters<typeof withTrustedActor<T>>[2]) => withTrustedActor(ctx.handle.owner, as, fn);

async function partnershipTables(): Promise<string[]> {
  const rows = await ctx.ownerQuery<{ table_name: string }>(
    `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'partnership_id' ORDER BY table_name`);
  return rows.map((r) => r.table_name).filter((t) => !globalTables.has(t));
}

/** Tables the request role may not read at all (sessions since migration 0009): nothing can leak through them. */
async function unreadable(table: string): Promise<boolean> {
  const [r] = await ctx.ownerQuery<{ ok: boolean }>(`SELECT has_table_privilege('lantern_app', $1, 'SELECT') AS ok`, [table]);
  return !r!.ok;
}

/** Rows of `other` partnership that the acting context can see in `table`. */
async function leaked(table: string, as: TrustedActor, other: string): Promise<number> {
  if (await unreadable(table)) return 0;
  return withActor(ctx.handle.db, as, async (tx) => {
    // An agreement is meant to be visible to its recipient partnership too.
    const intended = table === 'sharing_agreements' ? sql`AND recipient_partnership_id <> ${as.partnershipId}` : sql``;
    const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE partnership_id = ${other} ${intended}`.execute(tx);
    return r.rows[0]!.n;
  });
}

describe('row-level security', () => {
  test('every table but the global ones carries partnership_id', async () => {
    const all = await ctx.ownerQuery<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`);
    const withColumn = new Set(await partnershipTables());
    const missing = all.map((r) => r.table_name).filter((t) => !globalTables.has(t) && !withColumn.has(t));
    assert.deepEqual(missing, []);
  });

  test('every partnership table has RLS enabled and forced', async () => {
    for (const table of await partnershipTables()) {
      const [r] = await ctx.ownerQuery<{ relrowsecurity: boolean; relforcerowsecurity: boolean }>(
        `SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = $1 AND relnamespace = 'public'::regnamespace`, [table]);
      assert.ok(r?.relrowsecurity && r.relforcerowsecurity, `${table} has forced RLS`);
    }
  });

  test('no row of one partnership is visible to the other, in either direction, on any table', async () => {
    for (const table of await partnershipTables()) {
      const [both] = await ctx.ownerQuery<{ n: number }>(`SELECT count(DISTINCT partnership_id)::int AS n FROM ${table} WHERE partnership_id IN ($1, $2)`, [northmere, westbrook]);
      assert.equal(both!.n, 2, `${table} has rows of both partnerships, so the check means something`);
      assert.equal(await leaked(table, actor(northmere, agencies['n:partnership']!.id, 'partnership'), westbrook), 0, `${table}: northmere sees westbrook`);
      assert.equal(await leaked(table, actor(westbrook, agencies['w:partnership']!.id, 'partnership'), northmere), 0, `${table}: westbrook sees northmere`);
    }
  });

  test('the leak check fails when a table’s policy is switched off', async () => {
    for (const table of await partnershipTables()) {
      if (await unreadable(table)) continue;
      const as = actor(northmere, agencies['n:partnership']!.id, 'partnership');
      const visible = () => withActor(ctx.handle.db, as, async (tx) =>
        (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE partnership_id = ${westbrook}`.execute(tx)).rows[0]!.n);
      const withPolicy = await visible();
      await ctx.ownerQuery(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
      try {
        assert.ok((await visible()) > withPolicy, `${table}: without its policy more of the other partnership's rows show`);
      } finally {
        await ctx.ownerQuery(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      }
    }
  });

  test('agency separation: a child is seen by its agency, a shared agency and partnership-wide roles only', async () => {
    const [child] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM children WHERE reference = 'RLS-n'`);
    const count = (a: TrustedActor) => withActor(ctx.handle.db, a, async (tx) =>
      (await tx.selectFrom('children').select('id').where('id', '=', child!.id).execute()).length);
    assert.equal(await count(actor(northmere, agencies['n:childrens_services']!.id)), 1, 'owning agency');
    assert.equal(await count(actor(northmere, agencies['n:education']!.id)), 0, 'another agency');
    assert.equal(await count(actor(northmere, agencies['n:education']!.id, 'partnership')), 1, 'partnership-wide role');
    assert.equal(await count(actor(westbrook, agencies['w:childrens_services']!.id, 'partnership')), 0, 'other partnership');
    await ctx.ownerQuery(`INSERT INTO record_shares (partnership_id, record_type, record_id, agency_id, lawful_basis) VALUES ($1, 'child', $2, $3, 'test basis')`,
      [northmere, child!.id, agencies['n:education']!.id]);
    assert.equal(await count(actor(northmere, agencies['n:education']!.id)), 1, 'after sharing');
    await ctx.ownerQuery(`UPDATE record_shares SET revoked_at = now() WHERE record_id = $1`, [child!.id]);
    assert.equal(await count(actor(northmere, agencies['n:education']!.id)), 0, 'after revoking');
  });

  test('the application role cannot write into another partnership or bypass RLS', async () => {
    await assert.rejects(
      withActor(ctx.handle.db, actor(northmere, agencies['n:partnership']!.id), (tx) =>
        tx.insertInto('agencies').values({ partnership_id: westbrook, kind: 'voluntary', name: 'Smuggled agency' }).execute()),
      /row-level security/,
    );
    const [role] = await ctx.ownerQuery<{ rolbypassrls: boolean; rolsuper: boolean }>(`SELECT rolbypassrls, rolsuper FROM pg_roles WHERE rolname = 'lantern_app'`);
    assert.deepEqual(role, { rolbypassrls: false, rolsuper: false });
    const owned = await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE tableowner = 'lantern_app'`);
    assert.equal(owned[0]!.n, 0, 'lantern_app owns no tables');
    await assert.rejects(
      withActor(ctx.handle.db, actor(northmere, agencies['n:partnership']!.id), (tx) => sql`SET LOCAL row_security = off`.execute(tx).then(() =>
        sql`ALTER TABLE children DISABLE ROW LEVEL SECURITY`.execute(tx))),
    );
  });
});
