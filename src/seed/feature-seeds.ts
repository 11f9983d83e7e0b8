import type { Tx } from '../db/context.ts';
import type { DemoSeedContext } from './demo.ts';
import { seedAssurance } from '../features/assurance/seed.ts';
import { strategySeed } from '../features/strategy/seed.ts';
import { caseworkSeed } from '../features/casework/seed.ts';
import { seedChildren } from '../features/children/seed.ts';

/**
 * Features' demo seeds, run in order inside the demo seed's transaction (as the owner). Each
 * must create records for BOTH demo partnerships (the RLS test needs rows on both sides of every
 * table) and stay small: every test file seeds the demo. Benchmark volumes belong in seedScale.
 */
export type FeatureSeed = (tx: Tx, context: DemoSeedContext) => Promise<void>;

// The children seed runs before casework, whose records hang off its children.
export const featureSeeds: FeatureSeed[] = [seedChildren, strategySeed, caseworkSeed, seedAssurance];
