import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { can, permissions, type Permission } from '../../src/authz/policy.ts';
import type { Role } from '../../src/authz/roles.ts';
import type { RouteEntry } from '../../src/web/app.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { Agent, signIn } from '../helpers/http.ts';

/**
 * A generated sweep: every route the server registers × every demo role. A role without the
 * route's permission gets 403 and no page content; a signed-out visitor is sent to sign-in;
 * the other partnership's records are 404. Nobody hand-picks the cases.
 */
let ctx: TestContext;
const routes: RouteEntry[] = [];
const agents = new Map<string, Agent>();
const roleAccounts: { role: Role; email: string }[] = [];

before(async () => {
  ctx = await createTestContext();
  routes.push(...ctx.app.routeTable.filter((r) => !r.url.startsWith('/api/')));
  for (const a of ctx.accounts.filter((x) => x.partnership === 'northmere')) {
    if (roleAccounts.some((r) => r.role === a.role)) continue;
    roleAccounts.push({ role: a.role, email: a.email });
    agents.set(a.role, await signIn(ctx.app, ctx.clock, a));
  }
});
after(async () => ctx.close());

const concrete = (url: string) => url.replace(/:[a-zA-Z]+/g, () => crypto.randomUUID());

describe('route × role sweep', () => {
  test('every non-public route declares a permission', () => {
    const undeclared = routes.filter((r) => !r.public && !r.permission).map((r) => `${r.method} ${r.url}`);
    assert.deepEqual(undeclared, []);
    assert.ok(routes.length >= 10, `found ${routes.length} routes`);
  });

  test('signed out: every non-public route redirects to sign-in or refuses', async () => {
    for (const r of routes.filter((x) => !x.public)) {
      const agent = new Agent(ctx.app);
      await agent.get('/sign-in');
      const response = r.method === 'GET' ? await agent.get(concrete(r.url)) : await agent.post(concrete(r.url), {});
      if (r.url.startsWith('/api/')) {
        assert.equal(response.statusCode, 401, `${r.method} ${r.url}`);
      } else if (r.method === 'GET') {
        assert.equal(response.statusCode, 302, `${r.method} ${r.url}`);
        assert.equal(response.headers.location, '/sign-in');
      } else {
        assert.ok([401, 403].includes(response.statusCode), `${r.method} ${r.url} gave ${response.statusCode}`);
      }
    }
  });

  test('every role: routes outside its permissions give 403 and reveal nothing', async () => {
    let checked = 0;
    for (const { role } of roleAccounts) {
      const agent = agents.get(role)!;
      for (const r of routes.filter((x) => x.permission)) {
        const allowed = can({ userId: 'x', roles: [role] }, r.permission!);
        const response = r.method === 'GET' ? await agent.get(concrete(r.url)) : await agent.post(concrete(r.url), {});
        // A session never authenticates the JSON API (tokens only: test/integration/children-api.test.ts sweeps it by role).
        if (r.url.startsWith('/api/')) {
          assert.equal(response.statusCode, 401, `${role} ${r.method} ${r.url} with a session`);
          continue;
        }
        if (!allowed) {
          assert.equal(response.statusCode, 403, `${role} ${r.method} ${r.url}`);
          assert.match(response.body, /LANTERN_E_FORBIDDEN/);
          assert.doesNotMatch(response.body, /@lantern\.example<\/|reference|date of birth/i);
          checked++;
        } else {
          assert.notEqual(response.statusCode, 403, `${role} may ${r.method} ${r.url}`);
          assert.ok(response.statusCode < 500, `${role} ${r.method} ${r.url} gave ${response.statusCode}`);
        }
      }
    }
    assert.ok(checked > 0);
  });

  test('the permission table only names real roles and every permission is used', () => {
    const used = new Set(routes.map((r) => r.permission).filter(Boolean));
    for (const p of Object.keys(permissions)) {
      if (!used.has(p as Permission)) assert.fail(`permission ${p} is declared but no route uses it`);
    }
  });

  test('the other partnership’s records are not found', async () => {
    const [westbrookUser] = await ctx.ownerQuery<{ id: string }>(`SELECT u.id FROM users u JOIN partnerships p ON p.id = u.partnership_id WHERE p.code = 'westbrook' LIMIT 1`);
    const admin = agents.get('partnership_admin')!;
    const r = await admin.get(`/admin/users/${westbrookUser!.id}`);
    assert.equal(r.statusCode, 404);
    assert.doesNotMatch(r.body, /westbrook@lantern\.example/);
  });
});
