import type { FastifyRequest } from 'fastify';
import type { RateLimitPluginOptions } from '@fastify/rate-limit';

/**
 * The JSON API's limit: so many requests a minute per token (its id, not the address, so partner
 * systems behind one gateway do not share a budget and one token cannot spread over addresses).
 * Requests without a valid token are counted per client address. Runs after the API's token
 * hook (route-level onRequest hooks follow the scope's), so request.user is already known.
 * Over the limit: 429 LANTERN_E_RATE_LIMITED (the error handler) with Retry-After.
 */
export function apiRateLimit(perMinute: number): RateLimitPluginOptions {
  return {
    global: true,
    max: perMinute,
    timeWindow: 60_000,
    keyGenerator: (request: FastifyRequest) => (request.user ? `token:${request.user.sessionId}` : `address:${request.ip}`),
  };
}
