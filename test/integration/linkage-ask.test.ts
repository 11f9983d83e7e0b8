import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { aChild, demoAgency, demoPartnership } from '../helpers/factories.ts';
import { signIn, type Agent } from '../helpers/http.ts';
import { asksPerDay } from '../../src/features/linkage/encoded/ask.ts';

/**
 * "Do you hold this child?" asked of a neighbouring partnership (issue 14 §3): Northmere shares with
 * Westbrook under the demo seed's agreement, so Northmere asks and Westbrook holds. A child Westbrook
 * also holds gives a strong match, one it does not hold gives none; the answer names nothing of
 * Westbrook's child; only those who may share the child ask; the encodings hold no plaintext column
 * and no request reads them; both partnerships' audit trails record the question.
 */
let ctx: TestContext;
let northmere: string;
let westbrook: string;
let agreement: string;
const agents: Record<string, Agent> = {};
const ids: Record<string, string> = {};

before(async () => {
  ctx = await createTestContext();
  northmere = await demoPartnership(ctx, 'northmere');
  westbrook = await demoPartnership(ctx, 'westbrook');
  agreement = (
    await ctx.ownerQuery<{ id: string }>(
      `SELECT id FROM sharing_agreements WHERE partnership_id = $1 AND recipient_partnership_id = $2
        AND starts_on <= current_date AND (ends_on IS NULL OR ends_on >= current_date)`,
      [northmere, westbrook],
    )
  )[0]!.id;
  const nmCs = await demoAgency(ctx, 'northmere', 'childrens_services');
  const wbCs = await demoAgency(ctx, 'westbrook', 'childrens_services');
  // Synthetic children: one held on both sides (Westbrook's with a spelling of its own), one Northmere's alone.
  ids.asked = await aChild(ctx, {
    partnership_id: northmere,
    owning_agency_id: nmCs.id,
    reference: 'LK-ASK-1',
    given_name: 'Morwenna',
    family_name: 'Featherstonehaugh',
    date_of_birth: '2012-07-14',
  });
  ids.held = await aChild(ctx, {
    partnership_id: westbrook,
    owning_agency_id: wbCs.id,
    reference: 'WB-HELD-7',
    given_name: 'Morwena',
    family_name: 'Featherstonehaugh',
    date_of_birth: '2012-07-14',
  });
  ids.unheld = await aChild(ctx, {
    partnership_id: northmere,
    owning_agency_id: nmCs.id,
    reference: 'LK-ASK-2',
    given_name: 'Zebedee',
    family_name: 'Quillfeatherby',
    date_of_birth: '2009-02-27',
  });
  for (const key of ['coordinator.northmere', 'analyst.northmere', 'school.northmere', 'coordinator.westbrook']) {
    agents[key] = await signIn(ctx.app, ctx.clock, ctx.account(`${key}@lantern.example`));
  }
});
after(async () => ctx.close());

async function ask(agent: Agent, child: string) {
  const page = await agent.get(`/children/${child}`);
  assert.equal(page.statusCode, 200);
  assert.ok(page.body.includes(`action="/children/${child}/ask-neighbour"`), 'the child page offers the question');
  const asked = await agent.post(`/children/${child}/ask-neighbour`, { agreementId: agreement, purpose: 'moved_to_area' });
  assert.equal(asked.statusCode, 303, asked.body.slice(0, 500));
  const location = String(asked.headers.location);
  assert.match(location, new RegExp(`^/children/${child}/neighbour-answers/[0-9a-f-]{36}$`));
  const answer = await agent.get(location);
  assert.equal(answer.statusCode, 200);
  return answer.body;
}

describe('asking a neighbouring partnership whether it holds a child', () => {
  test('a child the neighbour holds: a strong possible match and the way to share, nothing of the neighbour’s record', async () => {
    const started = process.hrtime.bigint();
    const body = await ask(agents['coordinator.northmere']!, ids.asked!);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const [{ n }] = (await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM linkage_encodings WHERE agreement_id = $1`, [agreement])) as [
      { n: number },
    ];
    console.log(`first question (encoding ${n} Westbrook children, comparing): ${ms.toFixed(0)} ms`);
    assert.ok(n > 1, 'the holder’s open children were encoded');
    assert.match(body, /Possible match, strength: strong/);
    assert.ok(body.includes(`href="/children/${ids.asked}#sharing"`), 'ask for sharing: the existing share form');
    for (const secret of [ids.held!, 'WB-HELD-7', 'Morwena ', 'Morwena<', '14 July 2012', '2012-07-14']) assert.ok(!body.includes(secret), `no ${secret}`);
  });

  test('a child the neighbour does not hold: no likely match', async () => {
    const body = await ask(agents['coordinator.northmere']!, ids.unheld!);
    assert.match(body, /No likely match/);
    assert.doesNotMatch(body, /Possible match/);
  });

  test('a changed record is encoded again before the next question', async () => {
    const before = (await ctx.ownerQuery<{ clk: string }>(`SELECT encode(clk, 'hex') AS clk FROM linkage_encodings WHERE child_id = $1`, [ids.held]))[0]!.clk;
    await ctx.ownerQuery(
      `UPDATE children SET given_name = 'Wilhelmina', family_name = 'Ashcroft-Pennington', updated_at = now() + interval '1 second' WHERE id = $1`,
      [ids.held],
    );
    const body = await ask(agents['coordinator.northmere']!, ids.asked!);
    assert.match(body, /No likely match/, 'the neighbour no longer holds anyone close');
    const afterClk = (await ctx.ownerQuery<{ clk: string }>(`SELECT encode(clk, 'hex') AS clk FROM linkage_encodings WHERE child_id = $1`, [ids.held]))[0]!.clk;
    assert.notEqual(afterClk, before);
    await ctx.ownerQuery(
      `UPDATE children SET given_name = 'Morwena', family_name = 'Featherstonehaugh', updated_at = now() + interval '2 seconds' WHERE id = $1`,
      [ids.held],
    );
  });

  test('only those who may share the child ask, and malformed input is refused', async () => {
    const analyst = agents['analyst.northmere']!;
    await analyst.get('/');
    assert.equal(
      (await analyst.post(`/children/${ids.asked}/ask-neighbour`, { agreementId: agreement, purpose: 'moved_to_area' })).statusCode,
      403,
      'no case-work role',
    );
    const school = agents['school.northmere']!;
    await school.get('/');
    assert.equal(
      (await school.post(`/children/${ids.asked}/ask-neighbour`, { agreementId: agreement, purpose: 'moved_to_area' })).statusCode,
      404,
      'a child the school cannot see',
    );
    const neighbour = agents['coordinator.westbrook']!;
    await neighbour.get('/');
    assert.equal(
      (await neighbour.post(`/children/${ids.asked}/ask-neighbour`, { agreementId: agreement, purpose: 'moved_to_area' })).statusCode,
      404,
      'another partnership’s child',
    );
    assert.equal(
      (await neighbour.post(`/children/${ids.held}/ask-neighbour`, { agreementId: agreement, purpose: 'moved_to_area' })).statusCode,
      404,
      'the holder cannot ask under an agreement whose sharing side it is not',
    );

    const coordinator = agents['coordinator.northmere']!;
    await coordinator.get(`/children/${ids.asked}`);
    const malformed = await coordinator.post(`/children/${ids.asked}/ask-neighbour`, { agreementId: 'not-a-uuid' });
    assert.equal(malformed.statusCode, 400);
    assert.match(malformed.body, /govuk-error-summary/);
    assert.equal(
      (await coordinator.post(`/children/${ids.asked}/ask-neighbour`, { agreementId: ids.asked!, purpose: 'other' })).statusCode,
      404,
      'no such agreement',
    );
    const noPurpose = await coordinator.post(`/children/${ids.asked}/ask-neighbour`, { agreementId: agreement });
    assert.equal(noPurpose.statusCode, 400, 'a question states why it is asked');
    assert.match(noPurpose.body, /Choose why you are asking/);
    assert.equal((await coordinator.post(`/children/${ids.asked}/ask-neighbour`, { agreementId: agreement, purpose: 'curiosity' })).statusCode, 400);
    assert.equal((await coordinator.get(`/children/${ids.asked}/neighbour-answers/${ids.asked}`)).statusCode, 404, 'no such answer');
    assert.ok([400, 404].includes((await coordinator.get(`/children/${ids.asked}/neighbour-answers/nope`)).statusCode));
    const [row] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM linkage_asks WHERE child_id = $1 LIMIT 1`, [ids.asked]);
    assert.equal((await analyst.get(`/children/${ids.asked}/neighbour-answers/${row!.id}`)).statusCode, 403);
    assert.equal((await neighbour.get(`/children/${ids.asked}/neighbour-answers/${row!.id}`)).statusCode, 404, 'the answer is the asker’s');
  });

  test('the encodings and keys hold no plaintext and no request reads them', async () => {
    const columns = await ctx.ownerQuery<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_name IN ('linkage_encodings', 'linkage_agreement_keys') ORDER BY table_name, ordinal_position`,
    );
    const encodings = columns.filter((c) => c.table_name === 'linkage_encodings');
    assert.deepEqual(
      encodings.map((c) => `${c.column_name}:${c.data_type}`),
      ['partnership_id:uuid', 'agreement_id:uuid', 'child_id:uuid', 'clk:bytea', 'source_updated_at:timestamp with time zone'],
    );
    const [holder] = await ctx.ownerQuery<{ partnership_id: string; bytes: number }>(
      `SELECT DISTINCT partnership_id, octet_length(clk) AS bytes FROM linkage_encodings WHERE agreement_id = $1`,
      [agreement],
    );
    assert.equal(holder!.partnership_id, westbrook, 'partnership_id is the holder');
    assert.equal(holder!.bytes, 256, '2 × 1,024 bits');
    const [key] = await ctx.ownerQuery<{ sealed_key: string; partnership_id: string; recipient_partnership_id: string }>(
      `SELECT sealed_key, partnership_id, recipient_partnership_id FROM linkage_agreement_keys WHERE agreement_id = $1`,
      [agreement],
    );
    assert.match(key!.sealed_key, /^v1\./, 'the key is sealed');
    assert.deepEqual([key!.partnership_id, key!.recipient_partnership_id], [northmere, westbrook]);
    const [privileges] = await ctx.ownerQuery<{ enc: boolean; keys: boolean; forced: boolean }>(
      `SELECT has_table_privilege('lantern_app', 'linkage_encodings', 'SELECT') AS enc,
              has_table_privilege('lantern_app', 'linkage_agreement_keys', 'SELECT') AS keys,
              (SELECT bool_and(relforcerowsecurity) FROM pg_class WHERE relname IN ('linkage_encodings', 'linkage_agreement_keys')) AS forced`,
    );
    assert.deepEqual(privileges, { enc: false, keys: false, forced: true });
  });

  test('each question is audited in both partnerships, with no identity of the neighbour’s', async () => {
    const asked = await ctx.ownerQuery<{ partnership_id: string; details: Record<string, unknown> }>(
      `SELECT partnership_id, details FROM audit_events WHERE action = 'linkage.ask' AND record_type = 'child' AND record_id = $1 ORDER BY id`,
      [ids.asked],
    );
    assert.ok(asked.length >= 2);
    assert.equal(asked[0]!.partnership_id, northmere);
    assert.equal(asked[0]!.details.agreementId, agreement);
    assert.equal(asked[0]!.details.strength, 'strong');
    assert.equal(asked[0]!.details.purpose, 'moved_to_area', 'the stated purpose is kept');
    const unheld = await ctx.ownerQuery<{ details: Record<string, unknown> }>(
      `SELECT details FROM audit_events WHERE action = 'linkage.ask' AND record_id = $1`,
      [ids.unheld],
    );
    assert.equal(unheld[0]!.details.strength, 'none');
    const held = await ctx.ownerQuery<{ partnership_id: string; record_id: string; details: Record<string, unknown> }>(
      `SELECT partnership_id, record_id, details FROM audit_events WHERE action = 'linkage.asked' ORDER BY id`,
    );
    assert.ok(held.length >= 3);
    assert.ok(held.every((h) => h.partnership_id === westbrook && h.record_id === agreement && h.details.askingPartnership === northmere));
    const text = JSON.stringify([asked, unheld, held]);
    for (const secret of [ids.held!, 'WB-HELD-7', 'Morwena', 'Featherstonehaugh', '2012-07-14']) assert.ok(!text.includes(secret), `no ${secret} in the audit`);
    const holderSide = JSON.stringify(held);
    for (const secret of [ids.asked!, ids.unheld!, 'LK-ASK-1', 'Morwenna']) assert.ok(!holderSide.includes(secret), `the holder’s audit has no ${secret}`);
  });

  test('a person asks at most asksPerDay questions in 24 hours; the next is refused with the reason, nothing asked', async () => {
    const coordinator = agents['coordinator.northmere']!;
    const [me] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM users WHERE email = 'coordinator.northmere@lantern.example'`);
    const already = Number(
      (
        await ctx.ownerQuery<{ n: string }>(`SELECT count(*) AS n FROM linkage_asks WHERE asked_by = $1 AND asked_at >= $2::timestamptz - interval '1 day'`, [
          me!.id,
          ctx.clock.now().toISOString(),
        ])
      )[0]!.n,
    );
    for (let i = already; i < asksPerDay; i++)
      await ctx.ownerQuery(
        `INSERT INTO linkage_asks (partnership_id, child_id, agreement_id, strength, dice, above_threshold, asked_by, asked_at, purpose)
         VALUES ($1, $2, $3, 'none', 0.1, 0, $4, $5, 'other')`,
        [northmere, ids.unheld, agreement, me!.id, ctx.clock.now().toISOString()],
      );
    const before = (await ctx.ownerQuery(`SELECT 1 FROM linkage_asks`)).length;
    await coordinator.get(`/children/${ids.asked}`);
    const refused = await coordinator.post(`/children/${ids.asked}/ask-neighbour`, { agreementId: agreement, purpose: 'moved_to_area' });
    assert.equal(refused.statusCode, 429);
    assert.match(refused.body, new RegExp(`${asksPerDay} questions in the last 24 hours`));
    assert.equal((await ctx.ownerQuery(`SELECT 1 FROM linkage_asks`)).length, before, 'nothing asked');
  });
});
