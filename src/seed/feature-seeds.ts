import type { Tx } from '../db/context.ts';
import type { DemoSeedContext } from './demo.ts';
import type { FeatureScaleSeed } from './scale.ts';
import { seedAssurance } from '../features/assurance/seed.ts';
import { strategySeed } from '../features/strategy/seed.ts';
import { caseworkSeed, scaleSeedCasework } from '../features/casework/seed.ts';
import { seedReferrals } from '../features/casework/seed-referrals.ts';
import { scaleSeedChildren, seedChildren } from '../features/children/seed.ts';

/**
 * Features' demo seeds, run in order inside the demo seed's transaction (as the owner). Each
 * must create records for BOTH demo partnerships (the RLS test needs rows on both sides of every
 * table) and stay small: every test file seeds the demo. Benchmark volumes belong in seedScale.
 */
export type FeatureSeed = (tx: Tx, context: DemoSeedContext) => Promise<void>;

// The children seed runs before casework, whose records hang off its children.
// Referrals from children's plans run last: they need the children and the assurance feature's services directory.
export const featureSeeds: FeatureSeed[] = [seedChildren, strategySeed, caseworkSeed, seedAssurance, seedReferrals];

/**
 * Features' benchmark-scale seeds (`lantern seed --scale N`, `npm run bench`): each gives the
 * scaled children history in its own tables, set-based, after seedScale has made the children and
 * staff. In order: casework reads the allocated workers the children feature records.
 */
export const featureScaleSeeds: { name: string; seed: FeatureScaleSeed }[] = [
  { name: 'children', seed: scaleSeedChildren },
  { name: 'casework', seed: scaleSeedCasework },
];
