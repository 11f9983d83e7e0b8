// Disclosure control of a single figure, or of a rate with its numerator and denominator, for pages
// that show figures one at a time (measures, the quarterly report, training compliance by agency).
// A figure alone has no complementary cells; where several figures of one page add up, use
// controlTable instead.
import { assertSettings, dfeConvention, type DisclosureSettings } from './table.ts';

/** The count as published: 0 and counts above the threshold as they are, 1 to the threshold as the symbol. */
export function controlCount(value: number, settings: DisclosureSettings = dfeConvention): number | string {
  assertSettings(settings);
  if (!Number.isInteger(value) || value < 0) throw new RangeError('A count is a whole number, 0 or more');
  return value >= 1 && value <= settings.threshold ? settings.symbol : value;
}

export interface ControlledRate {
  numerator: number | string;
  denominator: number | string;
  /** numerator ÷ denominator (a fraction, 0–1 for a proportion); the symbol when either count is withheld; 'z' when the denominator is 0. */
  rate: number | string;
  suppressed: boolean;
}

/**
 * A rate or percentage with the counts it comes from: withheld when its numerator or denominator is
 * (DfE convention), not applicable (z) when the denominator is 0. The caller formats a numeric rate.
 */
export function controlRate(numerator: number, denominator: number, settings: DisclosureSettings = dfeConvention): ControlledRate {
  const n = controlCount(numerator, settings);
  const d = controlCount(denominator, settings);
  const suppressed = n === settings.symbol || d === settings.symbol;
  const rate = denominator === 0 ? 'z' : suppressed ? settings.symbol : numerator / denominator;
  return { numerator: n, denominator: d, rate, suppressed };
}
