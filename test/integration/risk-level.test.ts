import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { londonDate } from '../../src/dates.ts';
import { withTrustedActor } from '../../src/db/context.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { aChild, aConcern, anApiToken, aRiskAssessment, aStrategyMeeting, demoAgency } from '../helpers/factories.ts';
import { signIn } from '../helpers/http.ts';

/**
 * One current risk level per child (issue 10 §1, migration 0170): every demo child shows the same level
 * on the children list, its own page, the casework pages' header, the worklists it is on and the JSON
 * API, and that level is the rule's answer worked out here independently from its sources.
 */

let ctx: TestContext;
const partnerships: Record<string, string> = {};
const labels: Record<string, string> = { low: 'Low risk', medium: 'Medium risk', high: 'High risk' };
const none = 'No risk level yet';

before(async () => {
  ctx = await createTestContext();
  for (const p of await ctx.ownerQuery<{ id: string; code: string }>(`SELECT id, code FROM partnerships`)) partnerships[p.code] = p.id;
});
after(async () => ctx.close());

type Expected = { level: string; source: string; sourceId: string; on: string } | null;

/** The rule, written again from its words: the latest of an assessment's judgement, a meeting's agreed risk and a triage decision. */
async function ruleFor(childId: string): Promise<Expected> {
  const candidates = [
    ...(
      await ctx.ownerQuery<{ id: string; level: string; on: string; at: Date }>(
        `SELECT id, judgement_level AS level, assessed_on::text AS on, created_at AS at FROM risk_assessments WHERE child_id = $1`,
        [childId],
      )
    ).map((r) => ({ ...r, source: 'assessment', precedence: 2 })),
    ...(
      await ctx.ownerQuery<{ id: string; level: string; on: string; at: Date }>(
        `SELECT id, risk_level AS level, held_on::text AS on, created_at AS at FROM strategy_meetings WHERE child_id = $1`,
        [childId],
      )
    ).map((r) => ({ ...r, source: 'meeting', precedence: 3 })),
    ...(
      await ctx.ownerQuery<{ id: string; level: string; at: Date }>(
        `SELECT id, risk_level AS level, decided_at AS at FROM concerns WHERE child_id = $1 AND risk_level IS NOT NULL AND decided_at IS NOT NULL`,
        [childId],
      )
    ).map((r) => ({ ...r, on: londonDate(r.at), source: 'triage', precedence: 1 })),
  ];
  const carried = await ctx.ownerQuery<{ id: string; level: string; at: Date }>(
    `SELECT id, risk_level AS level, recorded_at AS at FROM child_risk_carried_over WHERE child_id = $1`,
    [childId],
  );
  candidates.sort((a, b) => b.on.localeCompare(a.on) || b.at.getTime() - a.at.getTime() || b.precedence - a.precedence);
  const latest = candidates[0] ?? carried.map((r) => ({ ...r, on: londonDate(r.at), source: 'carried_over' }))[0];
  return latest ? { level: latest.level, source: latest.source, sourceId: latest.id, on: latest.on } : null;
}

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&rsquo;/g, '’')
    .replace(/\s+/g, ' ')
    .trim();

/** Child id → the risk shown in each row of a list, by the link to the child in the row. */
function rowsOf(html: string, levelCell: (cells: string[]) => string | undefined): Map<string, string> {
  const shown = new Map<string, string>();
  for (const row of html.match(/<tr class="govuk-table__row">[\s\S]*?<\/tr>/g) ?? []) {
    const id = /href="\/children\/([0-9a-f-]{36})/.exec(row)?.[1];
    const cells = [...row.matchAll(/<td class="govuk-table__cell[^"]*">([\s\S]*?)<\/td>/g)].map((m) => text(m[1]!));
    const cell = levelCell(cells);
    if (id && cell !== undefined) shown.set(id, cell);
  }
  return shown;
}
const levelIn = (cell: string) => Object.values(labels).find((l) => cell.includes(l)) ?? (cell.includes(none) ? none : '');

describe('every demo child shows one risk level everywhere, and it is the rule’s', () => {
  for (const code of ['northmere', 'westbrook']) {
    test(`${code}: list, child page, casework header, worklists and API agree`, async () => {
      const partnership = partnerships[code]!;
      const coordinator = await signIn(ctx.app, ctx.clock, ctx.account(`coordinator.${code}@lantern.example`));
      const socialWorker = await signIn(ctx.app, ctx.clock, ctx.account(`social-worker.${code}@lantern.example`));
      const children = await ctx.ownerQuery<{ id: string; reference: string; restricted: boolean }>(
        `SELECT id, reference, restricted FROM children WHERE partnership_id = $1 ORDER BY reference`,
        [partnership],
      );
      assert.ok(children.length > 20);
      // Restricted records: the co-ordinator breaks glass, with a reason, to see them like the others.
      for (const c of children.filter((c) => c.restricted)) {
        await coordinator.get(`/children/${c.id}`);
        assert.equal((await coordinator.post(`/children/${c.id}/break-glass`, { reason: 'Checking the risk level shown everywhere' })).statusCode, 302);
      }

      const list = new Map<string, string>();
      for (let page = 1; page <= 5; page++) {
        const body = (await coordinator.get(`/children?status=all&page=${page}`)).body;
        const rows = rowsOf(body, (cells) => (cells.length >= 4 ? levelIn(cells[3]!) || none : undefined));
        for (const [id, level] of rows) list.set(id, level);
        if (!/page=\d+[^"]*"[^>]*>\s*(Next|Nesaf)/i.test(body) && rows.size < 50) break;
      }
      const worklists = new Map<string, Set<string>>();
      for (const agent of [coordinator, socialWorker]) {
        for (const show of ['children', 'reviews', 'meetings']) {
          const body = (await agent.get(`/worklists?show=${show}&whose=all`)).body;
          for (const [id, level] of rowsOf(body, (cells) => (cells.length === 3 ? levelIn(cells[2]!) : undefined))) {
            worklists.set(id, (worklists.get(id) ?? new Set()).add(`${show}:${level}`));
          }
        }
      }
      const apiToken = `lantern_${crypto.randomBytes(32).toString('base64url')}`;
      const [issuer] = await ctx.ownerQuery<{ id: string; agency_id: string }>(`SELECT id, agency_id FROM users WHERE email = $1`, [
        `coordinator.${code}@lantern.example`,
      ]);
      const [approver] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM users WHERE email = $1`, [`admin.${code}@lantern.example`]);
      await anApiToken(ctx, {
        partnership_id: partnership,
        agency_id: issuer!.agency_id,
        name: 'Risk consistency',
        token_hash: crypto.createHash('sha256').update(apiToken).digest('hex'),
        roles: ['coordinator'],
        created_by: issuer!.id,
        approved_by: approver!.id,
        approved_at: new Date(),
      });

      let withLevel = 0;
      let onWorklists = 0;
      for (const c of children) {
        const expected = await ruleFor(c.id);
        const label = expected ? labels[expected.level]! : none;
        const [stored] = await ctx.ownerQuery<{ level: string | null; source: string | null; source_id: string | null; on: string | null }>(
          `SELECT current_risk_level AS level, current_risk_source AS source, current_risk_source_id AS source_id, current_risk_on::text AS on
             FROM children WHERE id = $1`,
          [c.id],
        );
        assert.deepEqual(
          stored,
          expected
            ? { level: expected.level, source: expected.source, source_id: expected.sourceId, on: expected.on }
            : { level: null, source: null, source_id: null, on: null },
          `${c.reference}: the stored level is the rule's`,
        );
        if (expected) withLevel++;

        assert.equal(list.get(c.id), label, `${c.reference}: children list`);
        const page = (await coordinator.get(`/children/${c.id}`)).body;
        const banner = text(/id="current-risk">([\s\S]*?)<\/p>/.exec(page)?.[1] ?? '');
        assert.ok(banner.startsWith(`Current risk level: ${label}`), `${c.reference}: child page says "${banner}"`);
        const header = text(/id="current-risk">([\s\S]*?)<\/p>/.exec((await coordinator.get(`/children/${c.id}/assessments`)).body)?.[1] ?? '');
        assert.ok(header.startsWith(label), `${c.reference}: casework header says "${header}"`);
        if (expected) {
          const when = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(expected.on));
          const from = {
            assessment: 'judged in the risk assessment of',
            meeting: 'agreed at the strategy meeting of',
            triage: 'decided at triage on',
            carried_over: 'carried over from the child’s record, last changed',
          }[expected.source]!;
          assert.ok(banner.includes(`${from} ${when}`), `${c.reference}: the child page names the source and date ("${banner}")`);
          assert.ok(header.includes(`${from} ${when}`), `${c.reference}: the casework header names the source and date`);
        }
        for (const shown of worklists.get(c.id) ?? []) {
          onWorklists++;
          assert.equal(shown.split(':')[1], label, `${c.reference}: worklist ${shown}`);
        }

        const api = await ctx.app.inject({ method: 'GET', url: `/api/v1/children/${c.id}`, headers: { authorization: `Bearer ${apiToken}` } });
        if (c.restricted) {
          assert.equal(api.statusCode, 404, `${c.reference}: a restricted record stays hidden from the API token`);
          continue;
        }
        assert.equal(api.statusCode, 200);
        const body = api.json<{ risk_level: string | null; risk_source: string | null; risk_source_id: string | null; risk_on: string | null }>();
        assert.deepEqual(
          { level: body.risk_level, source: body.risk_source, id: body.risk_source_id, on: body.risk_on },
          expected
            ? { level: expected.level, source: expected.source, id: expected.sourceId, on: expected.on }
            : { level: null, source: null, id: null, on: null },
          `${c.reference}: API`,
        );
      }
      const apiList = await ctx.app.inject({ method: 'GET', url: `/api/v1/children?status=all&limit=100`, headers: { authorization: `Bearer ${apiToken}` } });
      for (const row of apiList.json<{ children: { id: string; risk_level: string | null }[] }>().children) {
        assert.equal(row.risk_level ? labels[row.risk_level] : none, list.get(row.id), 'API list and children list agree');
      }
      assert.ok(withLevel >= 6, `demo children with a level: ${withLevel}`);
      assert.ok(onWorklists >= 3, `rows compared on worklists: ${onWorklists}`);
    });
  }

  test('no demo child has a level without a source, and NM-1006 is not High without an assessment or meeting saying so', async () => {
    const [orphans] = await ctx.ownerQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM children WHERE current_risk_level IS NOT NULL AND (current_risk_source IS NULL OR current_risk_source_id IS NULL)`,
    );
    assert.equal(orphans!.n, 0);
    const [nm1006] = await ctx.ownerQuery<{ current_risk_level: string | null; current_risk_source: string | null }>(
      `SELECT current_risk_level, current_risk_source FROM children WHERE reference = 'NM-1006'`,
    );
    assert.ok(nm1006!.current_risk_level !== 'high' || ['assessment', 'meeting'].includes(nm1006!.current_risk_source!), JSON.stringify(nm1006));
  });
});

describe('the rule', () => {
  let partnership: string;
  let agency: string;
  before(async () => {
    partnership = partnerships.northmere!;
    agency = (await demoAgency(ctx, 'northmere', 'childrens_services')).id;
  });
  const newChild = () => aChild(ctx, { partnership_id: partnership, owning_agency_id: agency });
  const current = async (childId: string) =>
    (
      await ctx.ownerQuery<{ level: string | null; source: string | null; source_id: string | null; on: string | null }>(
        `SELECT current_risk_level AS level, current_risk_source AS source, current_risk_source_id AS source_id, current_risk_on::text AS on FROM children WHERE id = $1`,
        [childId],
      )
    )[0]!;
  const assess = (childId: string, on: string, level: string, createdAt = `${on}T12:00:00Z`) =>
    aRiskAssessment(ctx, {
      partnership_id: partnership,
      child_id: childId,
      assessor_agency_id: agency,
      assessed_on: on,
      judgement_level: level,
      created_at: createdAt,
    });
  const meet = (childId: string, on: string, level: string, createdAt = `${on}T12:00:00Z`) =>
    aStrategyMeeting(ctx, { partnership_id: partnership, child_id: childId, held_on: on, risk_level: level, created_at: createdAt });
  const triage = (childId: string | null, at: string, level: string) =>
    aConcern(ctx, { partnership_id: partnership, child_id: childId, received_at: at, decision: 'cse_concern', risk_level: level, decided_at: at });

  test('a child with no source has no level', async () => {
    assert.deepEqual(await current(await newChild()), { level: null, source: null, source_id: null, on: null });
  });

  test('an assessment after a meeting wins; a meeting after an assessment wins', async () => {
    const child = await newChild();
    const meeting = await meet(child, '2026-10-01', 'high');
    assert.deepEqual(await current(child), { level: 'high', source: 'meeting', source_id: meeting, on: '2026-10-01' });
    const assessment = await assess(child, '2026-10-20', 'medium');
    assert.deepEqual(await current(child), { level: 'medium', source: 'assessment', source_id: assessment, on: '2026-10-20' });
    const later = await meet(child, '2026-11-12', 'high');
    assert.deepEqual(await current(child), { level: 'high', source: 'meeting', source_id: later, on: '2026-11-12' });
    // Recorded today about an earlier day: the date counts, not when it was typed in.
    await assess(child, '2026-11-01', 'low', '2026-11-20T09:00:00Z');
    assert.equal((await current(child)).source_id, later, 'a back-dated assessment does not override a later meeting');
  });

  test('triage counts only when nothing later exists', async () => {
    const child = await newChild();
    const first = await triage(child, '2026-09-01T10:00:00Z', 'medium');
    assert.deepEqual(await current(child), { level: 'medium', source: 'triage', source_id: first, on: '2026-09-01' });
    const assessment = await assess(child, '2026-09-15', 'high');
    assert.equal((await current(child)).source_id, assessment);
    await triage(child, '2026-09-10T10:00:00Z', 'low'); // decided before the assessment: not the latest
    assert.equal((await current(child)).source_id, assessment);
    const second = await triage(child, '2026-10-02T23:30:00Z', 'low'); // 00:30 on 3 October in London
    assert.deepEqual(await current(child), { level: 'low', source: 'triage', source_id: second, on: '2026-10-03' });
  });

  test('on the same day the later record wins; at the same moment a meeting outranks an assessment', async () => {
    const child = await newChild();
    await meet(child, '2026-10-05', 'high', '2026-10-05T09:00:00Z');
    const assessment = await assess(child, '2026-10-05', 'medium', '2026-10-05T15:00:00Z');
    assert.equal((await current(child)).source_id, assessment);
    const tie = await newChild();
    await assess(tie, '2026-10-05', 'low', '2026-10-05T15:00:00Z');
    const meeting = await meet(tie, '2026-10-05', 'high', '2026-10-05T15:00:00Z');
    assert.equal((await current(tie)).source_id, meeting);
  });

  test('correcting or removing a source, or moving a concern to another child, recomputes both children', async () => {
    const child = await newChild();
    const assessment = await assess(child, '2026-10-10', 'medium');
    const meeting = await meet(child, '2026-10-20', 'high');
    assert.equal((await current(child)).source_id, meeting);
    await ctx.ownerQuery(`UPDATE strategy_meetings SET held_on = '2026-10-01' WHERE id = $1`, [meeting]);
    assert.equal((await current(child)).source_id, assessment, 'the meeting’s corrected date is before the assessment');
    await ctx.ownerQuery(`UPDATE strategy_meetings SET held_on = '2026-10-30', risk_level = 'low' WHERE id = $1`, [meeting]);
    assert.deepEqual(await current(child), { level: 'low', source: 'meeting', source_id: meeting, on: '2026-10-30' });
    // Assessments and meetings are records of what happened and are never deleted by the service; a
    // source that goes (here a concern, removed by the owner) hands the level back to the one before.
    const withdrawn = await triage(child, '2026-11-02T10:00:00Z', 'medium');
    assert.equal((await current(child)).source_id, withdrawn);
    await ctx.ownerQuery(`DELETE FROM concerns WHERE id = $1`, [withdrawn]);
    assert.equal((await current(child)).source_id, meeting, 'back to the meeting when the decision goes');

    const other = await newChild();
    const concern = await triage(child, '2026-11-05T10:00:00Z', 'high');
    assert.equal((await current(child)).source_id, concern);
    await ctx.ownerQuery(`UPDATE concerns SET child_id = $1 WHERE id = $2`, [other, concern]);
    assert.equal((await current(child)).source_id, meeting, 'the concern no longer about this child');
    assert.equal((await current(other)).source_id, concern, 'and now about the other');
  });

  test('a level carried over from the old record counts only while nothing else exists', async () => {
    const child = await newChild();
    await ctx.ownerQuery(
      `INSERT INTO child_risk_carried_over (partnership_id, child_id, risk_level, recorded_at) VALUES ($1, $2, 'high', '2026-11-25T10:00:00Z')`,
      [partnership, child],
    );
    assert.deepEqual({ ...(await current(child)), source_id: null }, { level: 'high', source: 'carried_over', source_id: null, on: '2026-11-25' });
    const assessment = await assess(child, '2026-06-01', 'low');
    assert.equal((await current(child)).source_id, assessment, 'even an older assessment replaces a carried-over level');
  });

  test('a request cannot set a child’s level directly, and the database refuses a level without a source', async () => {
    const child = await newChild();
    const [worker] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM users WHERE email = 'coordinator.northmere@lantern.example'`);
    const asRequest = { partnershipId: partnership, agencyId: agency, userId: worker!.id, roles: ['coordinator' as const], label: 'test' };
    const meeting = await meet(child, '2026-10-01', 'low');
    await assert.rejects(
      withTrustedActor(ctx.handle.owner, asRequest, (tx) => sql`UPDATE children SET current_risk_level = 'high' WHERE id = ${child}::uuid`.execute(tx)),
      /never set directly/,
    );
    await assert.rejects(
      withTrustedActor(ctx.handle.owner, asRequest, (tx) =>
        sql`INSERT INTO children (partnership_id, owning_agency_id, reference, given_name, family_name, current_risk_level, current_risk_source, current_risk_source_id, current_risk_on)
            VALUES (${partnership}::uuid, ${agency}::uuid, 'RISK-GUARD', 'A', 'B', 'high', 'meeting', ${meeting}::uuid, '2026-10-01')`.execute(tx),
      ),
      /never set directly/,
    );
    await assert.rejects(ctx.ownerQuery(`UPDATE children SET current_risk_source = NULL WHERE id = $1`, [child]), /children_current_risk_has_source/);
    assert.equal((await current(child)).level, 'low');
  });

  test('the edit form no longer sets a risk level, and a saved assessment changes the banner', async () => {
    const child = await newChild();
    const worker = await signIn(ctx.app, ctx.clock, ctx.account('coordinator.northmere@lantern.example'));
    const form = await worker.get(`/children/${child}/edit`);
    assert.doesNotMatch(form.body, /name="riskLevel"/);
    assert.match(form.body, /not set on this page/);
    assert.equal((await worker.post(`/children/${child}/edit`, { riskLevel: 'high' })).statusCode, 302);
    assert.equal((await current(child)).level, null, 'a posted riskLevel is ignored');
    await assess(child, '2026-11-12', 'high');
    assert.match(text((await worker.get(`/children/${child}`)).body), /Current risk level: High risk – judged in the risk assessment of 12 November 2026/);
  });
});
