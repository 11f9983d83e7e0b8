import type { Tx } from '../db/context.ts';
import type { DemoSeedContext } from './demo.ts';

/**
 * Features' demo seeds, run in order inside the demo seed's transaction (as the owner). Each
 * must create records for BOTH demo partnerships (the RLS test needs rows on both sides of every
 * table) and stay small: every test file seeds the demo. Benchmark volumes belong in seedScale.
 */
export type FeatureSeed = (tx: Tx, context: DemoSeedContext) => Promise<void>;

export const featureSeeds: FeatureSeed[] = [];
