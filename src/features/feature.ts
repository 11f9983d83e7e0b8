// A module of types only, so the features' routes can name Feature without importing the list of
// features (features/index.ts) that imports them: no import cycle.
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../services.ts';

/** The server as features see it: route schemas are zod, and handlers are typed from them. */
export type LanternApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

/** A feature's part of the web server. */
export interface Feature {
  name: string;
  register(app: LanternApp, services: Services): Promise<void>;
}

/**
 * A feature's routes of the JSON API (/api/v1): registered by the API's host (src/web/api/host.ts)
 * inside its one context, where the token is resolved, the rate limit counted and every route's
 * scope required.
 */
export type ApiRoutes = (api: LanternApp, services: Services) => Promise<void>;
