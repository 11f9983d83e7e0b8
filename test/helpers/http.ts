import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { totpCode } from '../../src/auth/totp.ts';
import type { DemoAccount } from '../../src/seed/demo.ts';
import type { TestClock } from './context.ts';

/** A browser-like client over fastify.inject: keeps cookies and fills in the CSRF token. */
export class Agent {
  private cookies = new Map<string, string>();
  csrfToken = '';

  constructor(private readonly app: FastifyInstance) {}

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(response: LightMyRequestResponse) {
    for (const c of response.cookies) {
      if (c.expires && new Date(c.expires).getTime() <= Date.now()) this.cookies.delete(c.name);
      else if (c.value === '') this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const match = /name="_csrf" value="([^"]+)"/.exec(response.body);
    if (match?.[1]) this.csrfToken = match[1];
  }

  async get(url: string, headers: Record<string, string> = {}) {
    const response = await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader(), ...headers } });
    this.remember(response);
    return response;
  }

  /** Posts a form; `_csrf` is the last token seen unless the caller passes its own (or null for none). */
  async post(url: string, form: Record<string, string | string[]>, csrf: string | null = this.csrfToken) {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
    if (csrf !== null) body.set('_csrf', csrf);
    const response = await this.app.inject({
      method: 'POST',
      url,
      payload: body.toString(),
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
    });
    this.remember(response);
    return response;
  }

  /** Posts a multipart form (an upload): the fields, `_csrf` filled in as post() does, and one file if given. */
  async postMultipart(url: string, fields: Record<string, string>, file?: { field: string; filename: string; content: string | Buffer; type?: string }) {
    const boundary = '----lanternTestBoundary';
    const parts: Buffer[] = [];
    for (const [k, v] of Object.entries({ ...fields, _csrf: this.csrfToken }))
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
    if (file) {
      parts.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\nContent-Type: ${file.type ?? 'text/csv'}\r\n\r\n`,
        ),
        Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content),
        Buffer.from('\r\n'),
      );
    }
    parts.push(Buffer.from(`--${boundary}--\r\n`));
    const response = await this.app.inject({
      method: 'POST',
      url,
      payload: Buffer.concat(parts),
      headers: { cookie: this.cookieHeader(), 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    this.remember(response);
    return response;
  }

  /** A post's answer as a browser shows it: after a redirect (post/redirect/get), the page it leads to. */
  async follow(response: LightMyRequestResponse | Promise<LightMyRequestResponse>) {
    const answer = await response;
    const location = answer.headers.location;
    return answer.statusCode >= 300 && answer.statusCode < 400 && typeof location === 'string' ? this.get(location) : answer;
  }

  cookie(name: string) {
    return this.cookies.get(name);
  }
  setCookie(name: string, value: string) {
    this.cookies.set(name, value);
  }
}

/** Signs in with password and TOTP. Moves the clock on a period first so each code is fresh. */
export async function signIn(app: FastifyInstance, clock: TestClock, account: Pick<DemoAccount, 'email' | 'password' | 'totpSecret'>): Promise<Agent> {
  const agent = new Agent(app);
  clock.advance(31_000);
  await agent.get('/sign-in');
  const first = await agent.post('/sign-in', { email: account.email, password: account.password });
  if (first.statusCode !== 302 || first.headers.location !== '/sign-in/code') throw new Error(`password step failed for ${account.email}: ${first.statusCode}`);
  await agent.get('/sign-in/code');
  const second = await agent.post('/sign-in/code', { code: await totpCode(account.totpSecret, clock.now()) });
  if (second.statusCode !== 302 || second.headers.location !== '/') throw new Error(`code step failed for ${account.email}: ${second.statusCode}`);
  return agent;
}

/**
 * A date as a form posts it from the GOV.UK date input: dateFields('dueOn', '2026-11-30') is
 * { 'dueOn-day': '30', 'dueOn-month': '11', 'dueOn-year': '2026' } (src/web/views/partials/date-input.njk).
 * A blank date posts the three boxes empty.
 */
export function dateFields(name: string, date: string): Record<string, string> {
  const [year = '', month = '', day = ''] = date ? date.split('-') : [];
  return { [`${name}-day`]: day, [`${name}-month`]: month, [`${name}-year`]: year };
}

/** One box of a GOV.UK date input as rendered, by the input's id (its name unless given): its <input> tag ('' when there is none). */
export function dateBox(html: string, id: string, part: 'day' | 'month' | 'year'): string {
  return new RegExp(`<input[^>]*\\bid="${id}-${part}"[^>]*>`).exec(html)?.[0] ?? '';
}

/** The date a GOV.UK date input shows, from its three boxes, as 'YYYY-MM-DD' ('' when they are empty). */
export function shownDate(html: string, id: string): string {
  const box = (part: 'day' | 'month' | 'year') => /\bvalue="([^"]*)"/.exec(dateBox(html, id, part))?.[1] ?? '';
  const [day, month, year] = [box('day'), box('month'), box('year')];
  return day || month || year ? `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}` : '';
}
