import assert from 'node:assert/strict';
import { apiScopes } from '../../src/authz/policy.ts';
import type { TestContext } from './context.ts';
import { signIn, type Agent } from './http.ts';

/**
 * Tokens for the JSON API made as a partner system gets them: issued on /admin/api-tokens by a demo
 * account of Northmere (its agency, some of its roles, the scopes chosen) and approved by the
 * partnership's administrator, a second person. `call` sends a request with a token.
 */
export function apiTokens(ctx: TestContext) {
  const agents = new Map<string, Agent>();
  const agent = async (key: string): Promise<Agent> => {
    const email = `${key}.northmere@lantern.example`;
    if (!agents.has(email)) agents.set(email, await signIn(ctx.app, ctx.clock, ctx.account(email)));
    return agents.get(email)!;
  };

  async function createToken(
    name: string,
    issuerKey: string,
    roles: string[],
    options: { approve?: boolean; scopes?: readonly string[] } = {},
  ): Promise<{ token: string; id: string }> {
    const issuer = await agent(issuerKey);
    await issuer.get('/admin/api-tokens');
    const r = await issuer.follow(issuer.post('/admin/api-tokens', { name, roles, scopes: [...(options.scopes ?? apiScopes)] }));
    assert.equal(r.statusCode, 200, r.body.slice(0, 200));
    const token = /id="api-token">([^<]+)</.exec(r.body)?.[1];
    assert.ok(token);
    const [row] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM api_tokens WHERE name = $1`, [name]);
    if (options.approve ?? true) {
      const admin = await agent('admin');
      await admin.get('/admin/api-tokens');
      assert.equal((await admin.post(`/admin/api-tokens/${row!.id}/approve`, {})).statusCode, 302);
    }
    return { token, id: row!.id };
  }

  const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, token: string | null, payload?: unknown) =>
    ctx.app.inject({
      method,
      url,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(payload === undefined ? {} : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }),
    });

  return { agent, createToken, call };
}
