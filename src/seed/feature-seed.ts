// What a feature's demo seed is and gets. A module of types only, so the features' seeds can name
// them without importing the demo seed (seed/demo.ts) that runs them: no import cycle.
import type { Faker } from '@faker-js/faker';
import type { Tx } from '../db/context.ts';

/** What a feature's demo seed gets: ids of the demo partnerships, their agencies (by kind) and demo users (by key). */
export interface DemoSeedContext {
  faker: Faker;
  partnerships: Record<string, { id: string; code: string; agencies: Record<string, string>; users: Record<string, string> }>;
}

/**
 * A feature's demo seed, run in order inside the demo seed's transaction (as the owner). Each
 * must create records for BOTH demo partnerships (the RLS test needs rows on both sides of every
 * table) and stay small: every test file seeds the demo. Benchmark volumes belong in seedScale.
 */
export type FeatureSeed = (tx: Tx, context: DemoSeedContext) => Promise<void>;
