import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SecretBox } from '../auth/secrets.ts';

/**
 * What a saved form says on the page it leads to (post/redirect/get). A POST handler that saved
 * something answers `reply.saved(location, 'flash.…', params)`: a redirect (302) that carries, in a
 * short-lived sealed cookie, the page it leads to and the message (a translation key in
 * locales/en/flash.json with its values). That page shows the message as a GOV.UK success
 * notification banner (layouts/base.njk), on a refresh too — a refresh asks for the page again and
 * never posts again — and the first other page rendered drops it.
 *
 * The cookie is sealed (AES-256-GCM, a key derived from the cookie secret), not only signed, so a
 * message may carry what is shown once and nowhere else (a new API token, an issued password).
 */
export type FlashKey = `flash.${string}`;
export type FlashParams = Record<string, string | number>;

export interface Flash {
  /** The path (no query) of the page that shows it. */
  to: string;
  key: FlashKey;
  params: FlashParams;
}

const flashSchema = z.object({
  to: z.string(),
  key: z.custom<FlashKey>((value) => typeof value === 'string' && /^flash\.[\w.]+$/.test(value)),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
});

/** A refresh within this time shows the banner again; after it the message is gone. */
const FLASH_SECONDS = 600;
const associatedData = 'lantern-flash';

export class FlashCookies {
  private readonly box: SecretBox;
  readonly name: string;
  private readonly options: { path: string; httpOnly: boolean; sameSite: 'lax'; secure: boolean };

  constructor(cookieSecret: string, secure: boolean) {
    this.box = new SecretBox(Buffer.from(crypto.hkdfSync('sha256', cookieSecret, '', 'lantern flash cookie', 32)));
    this.name = secure ? '__Host-lantern_flash' : 'lantern_flash';
    this.options = { path: '/', httpOnly: true, sameSite: 'lax', secure };
  }

  /** Redirects to `location` with the message for the page there. */
  redirect(reply: FastifyReply, location: string, key: FlashKey, params: FlashParams = {}): FastifyReply {
    const to = location.split(/[?#]/)[0]!;
    const value = this.box.seal(associatedData, JSON.stringify({ to, key, params } satisfies Flash));
    reply.setCookie(this.name, value, { ...this.options, maxAge: FLASH_SECONDS });
    return reply.redirect(location);
  }

  /**
   * The message for the page being rendered, if any. A message for another page is dropped, and so is
   * one met by a form shown again after a mistake (not a GET): nothing was saved by that post.
   */
  take(request: FastifyRequest, reply: FastifyReply, path: string): Flash | null {
    const sealed = request.cookies[this.name];
    if (!sealed) return null;
    const opened = this.box.open(associatedData, sealed);
    const flash = opened === null ? null : flashSchema.safeParse(safeJson(opened));
    if (flash?.success && flash.data.to === path && request.method === 'GET') return flash.data;
    reply.clearCookie(this.name, this.options);
    return null;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
