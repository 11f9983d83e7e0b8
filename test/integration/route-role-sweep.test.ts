import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { RouteOptions } from 'fastify';
import { can, permissions, type Permission } from '../../src/authz/policy.ts';
import type { Role } from '../../src/authz/roles.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { Agent, signIn } from '../helpers/http.ts';

/**
 * A generated sweep: every route the server registers × every demo role. A role without the
 * route's permission gets 403 and no page content; a signed-out visitor is sent to sign-in;
 * the other partnership's records are 404. Nobody hand-picks the cases.
 */
let ctx: TestContext;
const routes: { method: string; url: string; permission?: Permission; public: boolean }[] = [];
const agents = new Map<string, Agent>();
const roleAccounts: { role: Role; email: string }[] = [];

before(async () => {
  ctx = await createTestContext();
  // Register every feature on a bare Fastify instance to list the routes with their config.
  const collector = await (async () => {
    const list: RouteOptions[] = [];
    const { default: Fastify } = await import('fastify');
    const shadow = Fastify();
    shadow.addHook('onRoute', (r) => list.push(r));
    const { features } = await import('../../src/features/index.ts');
    shadow.decorate('sessionCookie', { name: 'x', options: {} });
    shadow.decorateReply('page', function () { return this; });
    for (const f of features) await f.register(shadow as never, ctx.services);
    return list;
  })();
  for (const r of collector) {
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      const config = (r.config ?? {}) as { permission?: Permission; public?: boolean };
      routes.push({ method, url: r.url, public: !!config.public, ...(config.permission ? { permission: config.permission } : {}) });
    }
  }
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
      if (r.method === 'GET') {
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
