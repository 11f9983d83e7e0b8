import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiScopes } from '../../src/authz/policy.ts';
import { apiTokens } from '../helpers/api-tokens.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';

/**
 * The disruptions API (issue 12 §3): list (by quarter and tactic), one, create, through the pages'
 * service with the pages' rule (only the co-ordinator and the analyst) and the token's scopes
 * (disruptions:read / :write, migration 0310): a token without them is 403, a token of a role without
 * intelligence is 403 whatever its scopes, another partnership's disruption is 404, malformed ids 404,
 * invalid bodies and filters 400; every read and write leaves its audit row naming the token.
 */
let ctx: TestContext;
let tokens: ReturnType<typeof apiTokens>;
let northmere: string;
let westbrook: string;
const agency: Record<string, string> = {};
let analyst: { token: string; id: string };
const demo = { dean: '', grill: '', child: '' };

type Json = Record<string, unknown>;
const call = (...args: Parameters<ReturnType<typeof apiTokens>['call']>) => tokens.call(...args);
const body = <T = Json>(r: { json: <J>() => J }) => r.json<T>();
const errorCode = (r: { json: <J>() => J }) => body<{ error: { code: string } }>(r).error.code;
const auditOf = (tokenId: string) =>
  ctx.ownerQuery<{ action: string; record_type: string; record_id: string | null; disclosed_ids: string[] | null; actor_label: string }>(
    `SELECT action, record_type, record_id, disclosed_ids, actor_label FROM audit_events WHERE details->>'apiToken' = $1 ORDER BY seq`,
    [tokenId],
  );

before(async () => {
  ctx = await createTestContext();
  tokens = apiTokens(ctx);
  const partnership = async (code: string) => (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = $1`, [code]))[0]!.id;
  northmere = await partnership('northmere');
  westbrook = await partnership('westbrook');
  for (const a of await ctx.ownerQuery<{ id: string; kind: string }>(`SELECT id, kind FROM agencies WHERE partnership_id = $1`, [northmere]))
    agency[a.kind] = a.id;
  demo.dean = (
    await ctx.ownerQuery<{ id: string }>(`SELECT id FROM persons_of_concern WHERE partnership_id = $1 AND 'Dean' = ANY (aliases)`, [northmere])
  )[0]!.id;
  demo.grill = (
    await ctx.ownerQuery<{ id: string }>(`SELECT id FROM intel_locations WHERE partnership_id = $1 AND name = 'Ferry Road Grill'`, [northmere])
  )[0]!.id;
  demo.child = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM children WHERE reference = 'NM-1004'`))[0]!.id;
  analyst = await tokens.createToken('Police disruption system', 'analyst', ['analyst']);
});
after(async () => ctx.close());

const aDisruption = (overrides: Json = {}) => ({
  tactic: 'trespass_notice',
  disruptedOn: '2025-08-14',
  personId: demo.dean,
  locationId: demo.grill,
  childReferences: ['nm-1004'],
  summary: 'API-DISRUPT: notice served on Dean to keep away from the takeaway’s back room.',
  ...overrides,
});

describe('disruptions through the API', () => {
  let id = '';

  test('the analyst’s token records a disruption and reads it back; the write and read audited with the token', async () => {
    const created = await call('POST', '/api/v1/intelligence/disruptions', analyst.token, aDisruption());
    assert.equal(created.statusCode, 201, created.body);
    id = body<{ id: string }>(created).id;
    const read = await call('GET', `/api/v1/intelligence/disruptions/${id}`, analyst.token);
    assert.equal(read.statusCode, 200, read.body);
    const d = body<Json>(read);
    const [police] = await ctx.ownerQuery<{ agency_id: string }>(`SELECT agency_id FROM api_tokens WHERE id = $1`, [analyst.id]);
    assert.deepEqual(
      {
        tactic: d.tactic,
        on: d.disrupted_on,
        agency: d.agency_id,
        person: (d.person as Json).id,
        location: (d.location as Json).label,
        outcome: d.outcome,
        children: d.children,
      },
      {
        tactic: 'trespass_notice',
        on: '2025-08-14',
        agency: police!.agency_id,
        person: demo.dean,
        location: 'Ferry Road Grill',
        outcome: 'pending',
        children: [{ id: demo.child, label: (d.children as { label: string }[])[0]!.label, withheld: false }],
      },
      'the token’s agency carried it out when none is named; pending until an outcome is given',
    );
    assert.match((d.children as { label: string }[])[0]!.label, /NM-1004/);
    assert.equal(d.partnership_id, undefined, 'only the described fields are sent');
    const audit = (await auditOf(analyst.id)).filter((r) => r.action !== 'access.refused');
    assert.deepEqual(
      audit.map((r) => [r.action, r.record_type, r.record_id]),
      [
        ['record.create', 'intel_disruption', id],
        ['record.view', 'intel_disruption', id],
      ],
    );
    assert.ok(audit.every((r) => r.actor_label === 'api-token:Police disruption system'));
  });

  test('the list: newest first, filtered by quarter and tactic; a malformed filter is 400', async () => {
    const all = body<{ disruptions: { id: string; tactic: string }[] }>(await call('GET', '/api/v1/intelligence/disruptions', analyst.token)).disruptions;
    assert.ok(all.some((d) => d.id === id));
    assert.ok(
      all.some((d) => d.tactic === 'child_abduction_warning_notice'),
      'the demo’s',
    );
    const q3 = body<{ disruptions: { id: string }[] }>(
      await call('GET', '/api/v1/intelligence/disruptions?quarter=2025-07-01&tactic=trespass_notice', analyst.token),
    ).disruptions;
    assert.deepEqual(
      q3.map((d) => d.id),
      [id],
    );
    const other = body<{ disruptions: unknown[] }>(await call('GET', '/api/v1/intelligence/disruptions?quarter=2025-04-01', analyst.token)).disruptions;
    assert.deepEqual(other, []);
    for (const bad of ['quarter=2025-08-14', 'quarter=Q3', 'tactic=kneecapping']) {
      const r = await call('GET', `/api/v1/intelligence/disruptions?${bad}`, analyst.token);
      assert.equal(r.statusCode, 400, bad);
      assert.equal(errorCode(r), 'LANTERN_E_VALIDATION');
    }
  });

  test('invalid bodies are 400 with the field named, and save nothing', async () => {
    const before = (await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM intel_disruptions`))[0]!.n;
    const cases: [Json, string][] = [
      [aDisruption({ tactic: 'kneecapping' }), 'tactic'],
      [aDisruption({ tactic: 'other' }), 'tacticOther'],
      [aDisruption({ disruptedOn: '2025-02-30' }), 'disruptedOn'],
      [aDisruption({ disruptedOn: '2099-01-01' }), 'disruptedOn'],
      [aDisruption({ personId: null, locationId: null }), 'personId'],
      [aDisruption({ summary: '  ' }), 'summary'],
      [aDisruption({ outcome: 'granted' }), 'outcome'],
      [aDisruption({ childReferences: ['NM-99999'] }), 'childReferences'],
      [aDisruption({ extra: true }), ''],
    ];
    for (const [payload, field] of cases) {
      const r = await call('POST', '/api/v1/intelligence/disruptions', analyst.token, payload);
      assert.equal(r.statusCode, 400, `${JSON.stringify(payload)}: ${r.body}`);
      const issues = body<{ error: { code: string; issues?: { path: string }[] } }>(r).error;
      assert.equal(issues.code, 'LANTERN_E_VALIDATION');
      if (field)
        assert.ok(
          issues.issues?.some((i) => i.path === field),
          `${field}: ${r.body}`,
        );
    }
    assert.equal((await call('POST', '/api/v1/intelligence/disruptions', analyst.token, '{"tactic":')).statusCode, 400, 'malformed JSON');
    assert.equal((await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM intel_disruptions`))[0]!.n, before);
  });
});

describe('what a disruptions token may not do', () => {
  const everyRoute = (one: string) => [
    { method: 'GET' as const, url: '/api/v1/intelligence/disruptions', write: false },
    { method: 'GET' as const, url: `/api/v1/intelligence/disruptions/${one}`, write: false },
    { method: 'POST' as const, url: '/api/v1/intelligence/disruptions', body: aDisruption({ childReferences: [] }), write: true },
  ];
  let ours = '';
  before(async () => {
    ours = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM intel_disruptions WHERE partnership_id = $1 ORDER BY created_at LIMIT 1`, [northmere]))[0]!.id;
  });

  test('the sweep covers every disruption route of the API', () => {
    const routes = (ctx.app as unknown as { routeTable: { method: string; url: string }[] }).routeTable
      .filter((r) => r.url.startsWith('/api/v1/intelligence/disruptions'))
      .map((r) => `${r.method} ${r.url}`)
      .sort();
    assert.deepEqual(
      routes,
      everyRoute(':id')
        .map((r) => `${r.method} ${r.url}`)
        .sort(),
    );
  });

  test('a token without the disruption scopes is 403 on every route; a read-only one reads and cannot write', async () => {
    const intelligenceOnly = await tokens.createToken('Intelligence without disruptions', 'analyst', ['analyst'], {
      scopes: apiScopes.filter((s) => !s.startsWith('disruptions:')),
    });
    const readOnly = await tokens.createToken('Disruptions read only', 'coordinator', ['coordinator'], { scopes: ['disruptions:read'] });
    for (const r of everyRoute(ours)) {
      const refused = await call(r.method, r.url, intelligenceOnly.token, r.body);
      assert.equal(refused.statusCode, 403, `${r.method} ${r.url}`);
      assert.equal(errorCode(refused), 'LANTERN_E_FORBIDDEN');
      const response = await call(r.method, r.url, readOnly.token, r.body);
      assert.equal(response.statusCode, r.write ? 403 : 200, `read-only ${r.method} ${r.url}: ${response.body}`);
    }
  });

  test('a token of a role without intelligence (a practitioner, a triage worker) is 403 whatever its scopes, and reads nothing', async () => {
    const before = (await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM intel_disruptions`))[0]!.n;
    for (const [issuer, role] of [
      ['police', 'practitioner'],
      ['triage', 'triage_worker'],
    ] as const) {
      const token = await tokens.createToken(`No disruptions ${role}`, issuer, [role]);
      for (const r of everyRoute(ours)) assert.equal((await call(r.method, r.url, token.token, r.body)).statusCode, 403, `${role} ${r.method} ${r.url}`);
      assert.deepEqual(
        (await auditOf(token.id)).filter((a) => a.action !== 'access.refused'),
        [],
      );
    }
    assert.equal((await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM intel_disruptions`))[0]!.n, before, 'nothing written');
  });

  test('another partnership’s disruption, person and location are not found; malformed ids 404', async () => {
    const theirs = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM intel_disruptions WHERE partnership_id = $1 LIMIT 1`, [westbrook]))[0]!.id;
    const r = await call('GET', `/api/v1/intelligence/disruptions/${theirs}`, analyst.token);
    assert.equal(r.statusCode, 404);
    assert.equal(errorCode(r), 'LANTERN_E_NOT_FOUND');
    const list = body<{ disruptions: { id: string }[] }>(await call('GET', '/api/v1/intelligence/disruptions', analyst.token)).disruptions;
    assert.ok(!list.some((d) => d.id === theirs));
    const theirPerson = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM persons_of_concern WHERE partnership_id = $1 LIMIT 1`, [westbrook]))[0]!.id;
    const targeted = await call('POST', '/api/v1/intelligence/disruptions', analyst.token, aDisruption({ personId: theirPerson, locationId: null }));
    assert.equal(targeted.statusCode, 400, targeted.body);
    for (const bad of ['not-a-uuid', '123', crypto.randomUUID()])
      assert.equal((await call('GET', `/api/v1/intelligence/disruptions/${bad}`, analyst.token)).statusCode, 404, bad);
  });

  test('the OpenAPI document names the disruption operations and their scopes', async () => {
    const doc = body<{ paths: Record<string, Record<string, { operationId?: string; security?: { bearerToken?: string[] }[] }>> }>(
      await ctx.app.inject({ method: 'GET', url: '/api/openapi.json' }),
    );
    const list = doc.paths['/api/v1/intelligence/disruptions'];
    assert.equal(list?.get?.operationId, 'listDisruptions');
    assert.deepEqual(list?.get?.security?.[0]?.bearerToken, ['disruptions:read']);
    assert.deepEqual(list?.post?.security?.[0]?.bearerToken, ['disruptions:write']);
    assert.equal(doc.paths['/api/v1/intelligence/disruptions/{id}']?.get?.operationId, 'getDisruption');
  });
});
