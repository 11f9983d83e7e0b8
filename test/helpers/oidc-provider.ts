import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/**
 * A real OpenID Connect provider (the oidc-provider package) on a loopback port, for the single
 * sign-on tests. Sign-in at the provider is automatic: whoever `nextLogin` names signs in, with its
 * amr; consent is granted. `tamper`, when set, rewrites the next ID token the token endpoint issues
 * and signs it again with the provider's own key (a wrong audience or nonce the provider itself would
 * never send, but a compromised or misconfigured one might).
 */
export interface TestAccount {
  email?: string;
  emailVerified?: boolean;
}

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  accounts: Map<string, TestAccount>;
  nextLogin: { accountId: string; amr?: string[]; acr?: string };
  tamper: ((payload: Record<string, unknown>) => Record<string, unknown>) | null;
  /** Follows the browser's redirects through the provider from Lantern's redirect to it; the callback's path and query. */
  authorize(location: string): Promise<string>;
  close(): Promise<void>;
}

const b64url = (value: Buffer | string) => Buffer.from(value).toString('base64url');

/** The provider's own sign-in and consent pages, for a browser (`interactive`): plain forms, as a real provider shows. */
const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><main><h1>${title}</h1>${body}</main></body></html>`;

async function formBody(req: http.IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export async function startTestProvider(options: { redirectUri: string; interactive?: boolean }): Promise<TestProvider> {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'test-key';
  const jwk = { ...(privateKey.export({ format: 'jwk' }) as Record<string, string>), kid, alg: 'RS256', use: 'sig' };
  const clientId = 'lantern-test';
  const clientSecret = crypto.randomBytes(24).toString('base64url');
  const accounts = new Map<string, TestAccount>();
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const state: Pick<TestProvider, 'nextLogin' | 'tamper'> = { nextLogin: { accountId: 'nobody' }, tamper: null };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      // Another relying party at the same provider: its tokens are not for Lantern.
      { client_id: 'someone-else', client_secret: 'another-secret-entirely', redirect_uris: ['http://127.0.0.1:1/cb'], response_types: ['code'] },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: [crypto.randomBytes(16).toString('hex')] },
    claims: { openid: ['sub', 'amr', 'acr'], email: ['email', 'email_verified'] },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx: unknown, id: string) => {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        claims: () => ({
          sub: id,
          ...(account.email !== undefined ? { email: account.email } : {}),
          ...(account.emailVerified !== undefined ? { email_verified: account.emailVerified } : {}),
        }),
      };
    },
  });
  const callback = provider.callback();

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    void (async () => {
      if (options.interactive && req.url?.startsWith('/interaction/')) {
        // A browser signs in here: a username (the account's id) on the login page, then "Allow" on consent.
        const details = await provider.interactionDetails(req, res);
        const uid = details.uid;
        if (req.method === 'GET') {
          res.setHeader('content-type', 'text/html; charset=utf-8');
          res.end(
            details.prompt.name === 'login'
              ? page(
                  'Sign in to the test provider',
                  `<form method="post" action="/interaction/${uid}/login"><label for="username">Username</label> <input id="username" name="username" autocomplete="off"> <button type="submit">Sign in</button></form>`,
                )
              : page(
                  'Allow Lantern to use your account',
                  `<form method="post" action="/interaction/${uid}/confirm"><button type="submit">Allow</button></form>`,
                ),
          );
          return;
        }
        if (req.url.endsWith('/login')) {
          const accountId = (await formBody(req)).get('username') ?? '';
          const { amr, acr } = state.nextLogin;
          await provider.interactionFinished(
            req,
            res,
            { login: { accountId, ...(amr ? { amr } : {}), ...(acr ? { acr } : {}) } },
            { mergeWithLastSubmission: false },
          );
          return;
        }
        const grant = new provider.Grant({ accountId: details.session!.accountId, clientId: details.params.client_id as string });
        grant.addOIDCScope('openid email');
        await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
        return;
      }
      if (req.url?.startsWith('/interaction/')) {
        const details = await provider.interactionDetails(req, res);
        if (details.prompt.name === 'login') {
          const { accountId, amr, acr } = state.nextLogin;
          await provider.interactionFinished(
            req,
            res,
            { login: { accountId, ...(amr ? { amr } : {}), ...(acr ? { acr } : {}) } },
            { mergeWithLastSubmission: false },
          );
          return;
        }
        const grant = new provider.Grant({ accountId: details.session!.accountId, clientId: details.params.client_id as string });
        grant.addOIDCScope('openid email');
        const grantId = await grant.save();
        await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
        return;
      }
      if (req.url?.startsWith('/token') && state.tamper) {
        const tamper = state.tamper;
        state.tamper = null;
        const end = res.end.bind(res) as (chunk?: unknown) => http.ServerResponse;
        res.end = ((chunk?: unknown) => {
          const body = JSON.parse(String(chunk)) as { id_token?: string };
          if (body.id_token) {
            const [header, payload] = body.id_token.split('.');
            const claims = tamper(JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>);
            const signingInput = `${header}.${b64url(JSON.stringify(claims))}`;
            body.id_token = `${signingInput}.${b64url(crypto.sign('sha256', Buffer.from(signingInput), privateKey))}`;
          }
          const text = JSON.stringify(body);
          res.setHeader('content-length', Buffer.byteLength(text));
          return end(text);
        }) as typeof res.end;
      }
      callback(req, res);
    })().catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });

  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    get nextLogin() {
      return state.nextLogin;
    },
    set nextLogin(value) {
      state.nextLogin = value;
    },
    get tamper() {
      return state.tamper;
    },
    set tamper(value) {
      state.tamper = value;
    },
    async authorize(location: string) {
      // A fresh browser each time: no provider session carries over from an earlier sign-in.
      const jar = new Map<string, string>();
      let url = location;
      const lantern = new URL(options.redirectUri).origin;
      for (let i = 0; i < 10; i++) {
        if (url.startsWith(lantern)) {
          const back = new URL(url);
          return back.pathname + back.search;
        }
        const response = await fetch(url, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
        for (const c of response.headers.getSetCookie()) {
          const [pair] = c.split(';');
          const eq = pair!.indexOf('=');
          jar.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
        }
        const next = response.headers.get('location');
        if (!next) throw new Error(`the provider stopped at ${url}: ${response.status} ${(await response.text()).slice(0, 300)}`);
        url = new URL(next, url).href;
      }
      throw new Error('too many redirects at the provider');
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
