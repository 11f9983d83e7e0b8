// A module of types only, so the features' routes can name Feature without importing the list of
// features (features/index.ts) that imports them: no import cycle.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';

/** A feature's part of the web server. */
export interface Feature {
  name: string;
  register(app: FastifyInstance, services: Services): Promise<void>;
}
