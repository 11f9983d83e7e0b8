import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { apiScopes, can } from '../../src/authz/policy.ts';
import type { Role } from '../../src/authz/roles.ts';
import { errorCodes } from '../../src/errors.ts';
import { apiTokenRoles } from '../../src/features/children/schema.ts';
import type { RouteEntry } from '../../src/web/app.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { anApiToken, demoAgency } from '../helpers/factories.ts';
import { signIn, type Agent } from '../helpers/http.ts';

/**
 * Malformed input gets a 4xx, never a 500: generated sweeps over the route table, as every demo
 * role that may use each route (the JSON API with a token holding every API role), then the
 * cases the security review found by hand.
 */
/** The JSON API's error body. */
interface ApiError {
  error: { code: string; message: string; issues?: { path: string }[] };
}

let ctx: TestContext;
const signedIn: { role: Role; agent: Agent }[] = [];
let apiToken = '';
let northmere = '';
let westbrookAgency = '';

before(async () => {
  // The sweep sends the API thousands of requests with one token: more than a minute's limit.
  ctx = await createTestContext({ configOverrides: { LANTERN_API_RATE_LIMIT: '100000' } });
  for (const account of ctx.accounts.filter((a) => a.partnership === 'northmere')) {
    if (!signedIn.some((s) => s.role === account.role)) signedIn.push({ role: account.role, agent: await signIn(ctx.app, ctx.clock, account) });
  }
  northmere = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`))[0]!.id;
  westbrookAgency = (
    await ctx.ownerQuery<{ id: string }>(
      `SELECT a.id FROM agencies a JOIN partnerships p ON p.id = a.partnership_id WHERE p.code = 'westbrook' AND a.kind = 'police'`,
    )
  )[0]!.id;
  // A token with every API role and scope: nobody holds them all (a token carries its issuer's roles), so the
  // owner makes it, approved, as the command line could.
  const [issuer] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM users WHERE email = 'police.northmere@lantern.example'`);
  const [approver] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM users WHERE email = 'admin.northmere@lantern.example'`);
  apiToken = `lantern_${crypto.randomBytes(32).toString('base64url')}`;
  await anApiToken(ctx, {
    partnership_id: northmere,
    agency_id: (await demoAgency(ctx, 'northmere', 'police')).id,
    name: 'Every API role',
    token_hash: crypto.createHash('sha256').update(apiToken).digest('hex'),
    roles: [...apiTokenRoles],
    scopes: [...apiScopes],
    created_by: issuer!.id,
    approved_by: approver!.id,
    approved_at: new Date(),
  });
});
after(async () => ctx.close());

const agentOf = (role: Role) => signedIn.find((s) => s.role === role)!.agent;
// Public routes once (the public concern form is rate limited per address); the others as every role that may.
const rolesFor = (r: RouteEntry) => (r.public ? signedIn.slice(0, 1) : signedIn.filter((s) => can({ userId: 'x', roles: [s.role] }, r.permission!)));
const isApi = (r: RouteEntry) => r.url.startsWith('/api/');
const params = (url: string) => url.match(/:[a-zA-Z]+/g) ?? [];
const withParams = (url: string, choose: (param: string) => string) => url.replace(/:[a-zA-Z]+/g, choose);
/** A value of the right shape for a path parameter: a UUID for ids, a shown session (a hash), an export's file name. */
const shapedParams: Record<string, string> = { ':session': '0'.repeat(24), ':document': 'plan.csv', ':format': 'docx', ':kind': 'child' };
const wellFormed = (param: string) => shapedParams[param] ?? crypto.randomUUID();

function api(method: string, url: string, payload?: unknown): Promise<LightMyRequestResponse> {
  return ctx.app.inject({
    method: method as 'GET',
    url,
    headers: { authorization: `Bearer ${apiToken}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
    ...(payload ? { payload: JSON.stringify(payload) } : {}),
  });
}

/** Sends the request as each role that may use the route (the API as the token); yields the answers. */
async function* asEveryone(r: RouteEntry, url: string, form: Record<string, string> = {}): AsyncGenerator<[string, LightMyRequestResponse]> {
  if (isApi(r)) {
    yield ['api token', await api(r.method, url, r.method === 'GET' ? undefined : form)];
    return;
  }
  for (const { role, agent } of rolesFor(r)) yield [role, r.method === 'GET' ? await agent.get(url) : await agent.post(url, form)];
}

// Percent-encoded as they would arrive in a URL; the last one is longer than any route parameter may be.
const malformedIds = ['not-a-uuid', '%00', '..%2F', '%zz', '%E2%80%AE', "1'--", '12345678-1234-1234-1234-123456789abc', 'x'.repeat(2000)];

describe('a generated sweep of malformed input over every route', () => {
  test('a path id that is not a UUID is not found (404), for every route, role and parameter', async () => {
    let checked = 0;
    const failures: string[] = [];
    for (const r of ctx.app.routeTable.filter((x) => params(x.url).length > 0)) {
      for (const param of params(r.url)) {
        for (const bad of malformedIds) {
          const url = withParams(r.url, (p) => (p === param ? bad : wellFormed(p)));
          for await (const [who, response] of asEveryone(r, url)) {
            checked++;
            // Broken percent-encoding is malformed (400); any other id that is not a UUID names nothing (404).
            const expected = bad === '%zz' ? 'LANTERN_E_VALIDATION' : param === ':id' || param.endsWith('Id') ? 'LANTERN_E_NOT_FOUND' : null;
            const ok = expected
              ? response.statusCode === errorCodes[expected].status && response.body.includes(expected)
              : response.statusCode >= 400 && response.statusCode < 500;
            if (!ok) failures.push(`${who} ${r.method} ${url.slice(0, 70)} gave ${response.statusCode}`);
          }
        }
      }
    }
    assert.deepEqual(failures, []);
    assert.ok(checked > 500, `checked ${checked}`);
  });

  test('a control character in a query string or a form is refused (400) on every route', async () => {
    let checked = 0;
    const failures: string[] = [];
    for (const r of ctx.app.routeTable) {
      const base = withParams(r.url, wellFormed);
      for (const bad of ['\u0000', '\u0001', '\u001B[2J']) {
        const url = r.method === 'GET' ? `${base}?q=${encodeURIComponent(`a${bad}`)}` : base;
        for await (const [who, response] of asEveryone(r, url, { note: `a${bad}b` })) {
          checked++;
          if (response.statusCode !== 400 || !response.body.includes('LANTERN_E_VALIDATION'))
            failures.push(`${who} ${r.method} ${r.url} gave ${response.statusCode}`);
        }
      }
    }
    assert.deepEqual(failures, []);
    assert.ok(checked > 300, `checked ${checked}`);
  });

  test('tab, line feed and carriage return are still accepted', async () => {
    const worker = agentOf('practitioner');
    assert.equal((await worker.get(`/directory?q=${encodeURIComponent('a\tb\r\nc')}`)).statusCode, 200);
  });
});

// Every query key a page or the API reads, with values no schema accepts: each route's schema either
// refuses the query (400) or falls back to its defaults as it says it does; none may fail (500).
const queryKeys = [
  'status',
  'page',
  'limit',
  'offset',
  'quarter',
  'year',
  'audience',
  'measureId',
  'agencyId',
  'asOf',
  'age',
  'q',
  'area',
  'actor',
  'action',
  'recordId',
  'from',
  'to',
  'from-day',
  'to-year',
  'asOf-month',
  'show',
  'sort',
  'agency',
  'whose',
  'tool',
  'child',
  'service',
  'changed',
  'ended',
  'saved',
  'lifted',
];
const hostileQueries = [
  new URLSearchParams(queryKeys.map((k) => [k, 'not-a-value'])).toString(),
  new URLSearchParams(
    queryKeys.flatMap((k) => [
      [k, '-1'],
      [k, '99999999999999999999999'],
    ]),
  ).toString(), // every key twice: an array
  new URLSearchParams(queryKeys.map((k) => [k, `${'x'.repeat(2000)}'--`])).toString(),
  queryKeys.map((k) => `${k}[]=1&${k}[a]=2`).join('&'),
];

describe('malformed query strings and bodies, by route family', () => {
  test('no query string makes any GET route fail, for every role that may use it', async () => {
    let checked = 0;
    const failures: string[] = [];
    for (const r of ctx.app.routeTable.filter((x) => x.method === 'GET')) {
      for (const query of hostileQueries) {
        const url = `${withParams(r.url, wellFormed)}?${query}`;
        for await (const [who, response] of asEveryone(r, url)) {
          checked++;
          const status = response.statusCode;
          // A refusal is the error page (or the API's error) or the page's own form with its error summary.
          const refusedWell = status !== 400 || /LANTERN_E_VALIDATION|govuk-error-summary/.test(response.body);
          if (![200, 302, 400, 404].includes(status) || !refusedWell) failures.push(`${who} GET ${r.url} gave ${status}`);
        }
      }
    }
    assert.deepEqual(failures, []);
    assert.ok(checked > 250, `checked ${checked}`);
  });

  test('the JSON API: a malformed query is 400 naming the field, a malformed id 404, both in the API’s error shape', async () => {
    const limit = await api('GET', '/api/v1/children?limit=0');
    assert.equal(limit.statusCode, 400);
    const refused = limit.json<ApiError>();
    assert.equal(refused.error.code, 'LANTERN_E_VALIDATION');
    assert.deepEqual(
      refused.error.issues?.map((i) => i.path),
      ['limit'],
    );
    assert.equal((await api('GET', '/api/v1/concerns?offset=-1')).statusCode, 400);
    assert.equal((await api('GET', '/api/v1/children?status=everything')).statusCode, 400);
    for (const id of ['not-a-uuid', '123', "'%27"]) {
      const missing = await api('GET', `/api/v1/children/${id}`);
      assert.equal(missing.statusCode, 404, id);
      assert.deepEqual(missing.json(), { error: { code: 'LANTERN_E_NOT_FOUND', message: missing.json<ApiError>().error.message } });
    }
    const search = await api('POST', '/api/v1/children/search', { dateOfBirth: '2026-02-30' });
    assert.equal(search.statusCode, 400);
    assert.ok(search.json<ApiError>().error.issues?.some((i) => i.path === 'dateOfBirth'));
    const extra = await api('POST', '/api/v1/concerns', { whatHappened: 'A long enough account of what happened.', unknown: 1 });
    assert.equal(extra.statusCode, 400);
  });

  test('pages whose filters are GET forms show the problem on the form (400), not the error page', async () => {
    const cases: [Role, string, string][] = [
      ['dpo', '/audit?from=2026-13-45', '#from-day'],
      ['dpo', '/audit?from-day=31&from-month=4&from-year=2026', '#from-day'],
      ['dpo', '/audit?to-day=1&to-month=&to-year=26', '#to-month'],
      ['dpo', '/audit?from-day=1&from-day=2&from-month=1&from-year=2026', '#from-day'],
      ['coordinator', '/directory?age=abc', '#age'],
      ['strategy_lead', '/training/compliance?measureId=nope', '#measureId'],
      ['strategy_lead', '/training/outstanding?asOf=2026-02-30', '#asOf-day'],
      ['strategy_lead', '/training/compliance?asOf-day=1&asOf-month=1&asOf-year=26', '#asOf-year'],
    ];
    for (const [role, url, href] of cases) {
      const response = await agentOf(role).get(url);
      assert.equal(response.statusCode, 400, url);
      assert.match(response.body, /govuk-error-summary/, url);
      assert.ok(response.body.includes(`href="${href}"`), `${url} links to ${href}`);
    }
  });

  test('pages that fall back to their defaults on an unknown filter say so by answering 200', async () => {
    const [plan] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM strategy_plans WHERE partnership_id = $1 LIMIT 1`, [northmere]);
    const [child] = await ctx.ownerQuery<{ id: string }>(
      `SELECT id FROM children WHERE partnership_id = $1 AND NOT restricted AND status = 'open'
      AND owning_agency_id = (SELECT id FROM agencies WHERE partnership_id = $1 AND kind = 'childrens_services') LIMIT 1`,
      [northmere],
    );
    const cases: [Role, string][] = [
      ['coordinator', '/worklists?show=bogus&sort=sideways&whose=nobody&page=-4&agency=x'],
      ['coordinator', '/concerns/new?child=not-a-child'],
      ['coordinator', `/children/${child!.id}/involvements/new?agencyId=not-an-agency`],
      ['coordinator', `/children/${child!.id}/assessments/new?tool=not-a-tool`],
      ['coordinator', `/children/${child!.id}/meetings?service=${'x'.repeat(500)}`],
      ['partnership_admin', '/admin/users?page=zero'],
      ['dpo', '/audit/roles-granted?page=-1'],
      ['strategy_lead', `/strategy/plans/${plan!.id}/quarterly?quarter=2026-02-01`],
      ['strategy_lead', '/training?year=last'],
      ['strategy_lead', '/campaigns?audience=martians'],
    ];
    for (const [role, url] of cases) assert.equal((await agentOf(role).get(url)).statusCode, 200, url);
  });

  test('a body that fails its schema: a form shows it on the form, anything else is the error page', async () => {
    const coordinator = agentOf('coordinator');
    await coordinator.get('/children');
    const search = await coordinator.post('/children/search', { 'dateOfBirth-day': '30', 'dateOfBirth-month': '2', 'dateOfBirth-year': '2026' });
    assert.equal(search.statusCode, 400);
    assert.match(search.body, /govuk-error-summary/);
    assert.ok(search.body.includes('href="#dateOfBirth-day">Date of birth must be a real date'));
    assert.doesNotMatch(search.body, /LANTERN_E_VALIDATION/);
    const switched = await coordinator.post('/account/partnership', { partnershipId: 'not-a-partnership' });
    assert.equal(switched.statusCode, 400);
    assert.match(switched.body, /LANTERN_E_VALIDATION/);
  });
});

describe('the cases the review found', () => {
  test('GET /children/not-a-uuid is the not-found page', async () => {
    const r = await agentOf('coordinator').get('/children/not-a-uuid');
    assert.equal(r.statusCode, 404);
    assert.match(r.body, /LANTERN_E_NOT_FOUND/);
  });

  test('a NUL in the audit filter, the directory search, a glossary term or an API search is 400', async () => {
    const audit = await agentOf('dpo').get('/audit?actor=%00');
    assert.equal(audit.statusCode, 400);
    assert.match(audit.body, /LANTERN_E_VALIDATION/);
    const directory = await agentOf('coordinator').get('/directory?q=%00');
    assert.equal(directory.statusCode, 400);
    const strategy = agentOf('strategy_lead');
    await strategy.get('/strategy/glossary');
    const term = await strategy.post('/strategy/glossary', { term: 'Exploitation\u0000', definition: 'A definition with a NUL in its term.' });
    assert.equal(term.statusCode, 400);
    const search = await api('POST', '/api/v1/children/search', { name: 'Ash\u0000' });
    assert.equal(search.statusCode, 400);
    assert.equal(search.json<{ error: { code: string } }>().error.code, 'LANTERN_E_VALIDATION');
  });

  test('another partnership’s agency in a form is not found, and nothing is written', async () => {
    const count = async (table: string) =>
      (await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE agency_id = $1`, [westbrookAgency]))[0]!.n;
    const before = {
      users: await count('users'),
      api_tokens: await count('api_tokens'),
      record_shares: await count('record_shares'),
      child_involvements: await count('child_involvements'),
    };
    const admin = agentOf('partnership_admin');
    await admin.get('/admin/users/new');
    const user = await admin.post('/admin/users/new', {
      displayName: 'Sam Placeholder',
      email: 'sam.placeholder@lantern.example',
      agencyId: westbrookAgency,
      roles: 'practitioner',
    });
    assert.equal(user.statusCode, 404, 'creating a user');
    const [someone] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM users WHERE partnership_id = $1 AND email LIKE 'school.%'`, [northmere]);
    await admin.get(`/admin/users/${someone!.id}`);
    const moved = await admin.post(`/admin/users/${someone!.id}`, { displayName: 'School Worker', agencyId: westbrookAgency, roles: 'practitioner' });
    assert.equal(moved.statusCode, 404, 'moving a user');
    // An API token has no agency field: it is always its issuer's agency (H1).

    const coordinator = agentOf('coordinator');
    const [child] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM children WHERE partnership_id = $1 AND NOT restricted AND status = 'open' LIMIT 1`, [
      northmere,
    ]);
    await coordinator.get(`/children/${child!.id}`);
    const share = await coordinator.post(`/children/${child!.id}/share`, {
      shareAgencyId: westbrookAgency,
      lawfulBasis: 'Section 47 enquiry, Children Act 1989',
    });
    assert.equal(share.statusCode, 404, 'a share');
    await coordinator.get(`/children/${child!.id}/involvements/new`);
    const involvement = await coordinator.post(`/children/${child!.id}/involvements`, { agencyId: westbrookAgency });
    assert.equal(involvement.statusCode, 404, 'an involvement');

    assert.deepEqual(
      {
        users: await count('users'),
        api_tokens: await count('api_tokens'),
        record_shares: await count('record_shares'),
        child_involvements: await count('child_involvements'),
      },
      before,
    );
  });

  test('behind the services’ checks, a foreign key the database refuses is not found, not a 500', async () => {
    // The triage decision does not look the acting agency up itself; the foreign key (partnership, agency) refuses it.
    const [concern] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM concerns WHERE partnership_id = $1 AND decided_at IS NULL LIMIT 1`, [northmere]);
    const triage = agentOf('triage_worker');
    await triage.get(`/triage/${concern!.id}`);
    const r = await triage.post(`/triage/${concern!.id}`, { decision: 'cse_concern', riskLevel: 'medium', actingAgencyId: westbrookAgency, link: 'none' });
    assert.equal(r.statusCode, 404);
    assert.match(r.body, /LANTERN_E_NOT_FOUND/);
    const [after] = await ctx.ownerQuery<{ decided_at: unknown }>(`SELECT decided_at FROM concerns WHERE id = $1`, [concern!.id]);
    assert.equal(after!.decided_at, null);
  });
});
