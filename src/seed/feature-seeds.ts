import type { FeatureSeed } from './feature-seed.ts';
import type { FeatureScaleSeed } from './scale.ts';
import { seedAssurance } from '../features/assurance/seed.ts';
import { strategySeed } from '../features/strategy/seed.ts';
import { caseworkSeed, scaleSeedCasework } from '../features/casework/seed.ts';
import { seedReferrals } from '../features/casework/seed-referrals.ts';
import { seedMultiAgencyTasking } from '../features/casework/seed-tasking.ts';
import { scaleSeedChildren, seedChildren } from '../features/children/seed.ts';
import { scaleSeedChildFlags, seedChildFlags } from '../features/children/seed-flags.ts';
import { seedDisruptions } from '../features/intelligence/disruption-seed.ts';
import { seedIntelligence } from '../features/intelligence/seed.ts';
import { seedNetwork } from '../features/intelligence/network/seed.ts';
import { seedMace } from '../features/mace/seed.ts';
import { scaleSeedIntelligence } from '../features/intelligence/seed-scale.ts';
import { seedComparisonAgreement, seedPopulations } from '../features/profile/seed.ts';

/**
 * Features' demo seeds, in order: the children seed runs before casework, whose records hang off its
 * children; referrals from children's plans run last: they need the children and the assurance
 * feature's services directory. The multi-agency tasking (agencies' named contacts, a plan shared
 * with the police and the school) draws nothing from the faker, so it shifts no later seed's people;
 * nor do the children's localities and flags, drawn from each child's own story. Intelligence (persons,
 * places, vehicles and their links to children) comes next, drawing nothing either, then the disruptions
 * of those persons and places (issue 12 §3), the network's places in their localities, and the MACE
 * meetings whose agendas name them. Last, the localities' population estimates (the problem profile's
 * rates) and the two partnerships' agreement to compare them, drawing nothing either.
 */
export const featureSeeds: FeatureSeed[] = [
  seedChildren,
  strategySeed,
  caseworkSeed,
  seedMultiAgencyTasking,
  seedChildFlags,
  seedAssurance,
  seedReferrals,
  seedIntelligence,
  seedDisruptions,
  seedNetwork,
  seedMace,
  seedPopulations,
  seedComparisonAgreement,
];

/**
 * Features' benchmark-scale seeds (`lantern seed --scale N`, `npm run bench`): each gives the
 * scaled children history in its own tables, set-based, after seedScale has made the children and
 * staff. In order: casework reads the allocated workers the children feature records. Intelligence
 * (persons of concern, places, things and their links to the scaled children) needs only the children.
 */
export const featureScaleSeeds: { name: string; seed: FeatureScaleSeed }[] = [
  { name: 'children', seed: scaleSeedChildren },
  { name: 'casework', seed: scaleSeedCasework },
  { name: 'flags and localities', seed: scaleSeedChildFlags },
  { name: 'intelligence', seed: scaleSeedIntelligence },
];
