// fast-check generators shared by the property tests (not used at runtime).
import fc from 'fast-check';
import { nonEmptySubsets } from './definition.ts';
import type { ToolDefinition } from './definition.ts';
import type { Answers } from './engine.ts';

const WINDOW_IDS = ['ever', 'current', 'past6to12', 'last6Months', 'last3Months'] as const;
const KINDS = ['vulnerability', 'moderate', 'significant', 'generic'] as const;
const words = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() === s && s.length > 0);

// Points for a combination = sum of per-window weights, plus a bonus once two or
// more windows are ticked. That is monotone by construction, as the schema demands.
const sectionArb = (si: number) =>
  fc
    .record({
      windowIds: fc.uniqueArray(fc.constantFrom(...WINDOW_IDS), { minLength: 1, maxLength: 3 }),
      weights: fc.array(fc.nat(6), { minLength: 3, maxLength: 3 }),
      bonus: fc.nat(3),
      indicatorCount: fc.integer({ min: 1, max: 5 }),
      title: words,
      kind: fc.constantFrom(...KINDS),
      withGuidance: fc.boolean(),
    })
    .map(({ windowIds, weights, bonus, indicatorCount, title, kind, withGuidance }) => ({
      id: `section-${si}`,
      title,
      kind,
      windows: windowIds.map((id) => ({ id, label: `label ${id}` })),
      points: nonEmptySubsets(windowIds).map((subset) => ({
        windows: subset,
        points: subset.reduce((sum, w) => sum + (weights[windowIds.indexOf(w)] ?? 0), 0) + (subset.length > 1 ? bonus : 0),
      })),
      indicators: Array.from({ length: indicatorCount }, (_, ii) => ({
        id: `s${si}-i${ii}`,
        text: `Indicator ${si}.${ii}`,
        ...(withGuidance && ii === 0 ? { guidance: 'Some guidance.' } : {}),
      })),
    }));

/** A definition as raw JSON that should pass `parseToolDefinition`. */
export const validDefinitionJson = fc
  .record({
    sections: fc.integer({ min: 1, max: 4 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => sectionArb(i)))),
    steps: fc.array(fc.integer({ min: 1, max: 20 }), { maxLength: 4 }),
    withMax: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
    version: fc.integer({ min: 1, max: 1000 }),
    review: fc.option(fc.integer({ min: 1, max: 366 }), { nil: undefined }),
    ageOverride: fc.option(fc.record({ age: fc.integer({ min: 1, max: 18 }), cat: fc.nat() }), { nil: undefined }),
    indicatorOverride: fc.option(fc.record({ pick: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), cat: fc.nat() }), {
      nil: undefined,
    }),
    languages: fc.constantFrom<Languages>('plain', 'bilingual', 'mixed'),
  })
  .map(({ sections, steps, withMax, version, review, ageOverride, indicatorOverride, languages }) => {
    let min = 0;
    const mins = [0, ...steps.map((s) => (min += s))];
    const bands = mins.map((m, i) => {
      const next = mins[i + 1];
      // Levels never fall as bands rise: the first band low, the last high, the rest medium.
      const level = i === 0 ? 'low' : next === undefined ? 'high' : 'medium';
      return { key: `band-${i}`, label: `Band ${i}`, level, min: m, ...(next !== undefined && withMax[i] ? { max: next - 1 } : {}) };
    });
    const allIndicators = sections.flatMap((s) => s.indicators.map((i) => i.id));
    const pickBand = (n: number) => `band-${n % bands.length}`;
    const overrides: unknown[] = [];
    if (ageOverride) overrides.push({ type: 'minimumCategoryUnderAge', age: ageOverride.age, category: pickBand(ageOverride.cat) });
    if (indicatorOverride) {
      const ids = [...new Set(indicatorOverride.pick.map((n) => allIndicators[n % allIndicators.length]))];
      overrides.push({ type: 'minimumCategoryIfAnyIndicator', indicators: ids, category: pickBand(indicatorOverride.cat) });
    }
    return inLanguages(
      {
        id: 'generated-tool',
        version,
        name: 'Generated tool',
        description: 'Generated for a property test.',
        sections,
        bands,
        overrides,
        ...(review === undefined ? {} : { reviewIntervalDays: review }),
      },
      languages,
    );
  });

/**
 * How a generated definition writes its texts (issue 11): all plain strings, as before Welsh; all
 * { en, cy }; or mixed, plain, English only ({ en }) and both in turn.
 */
type Languages = 'plain' | 'bilingual' | 'mixed';

function inLanguages<T extends { name: string; description: string; sections: unknown[]; bands: unknown[] }>(json: T, languages: Languages): T {
  if (languages === 'plain') return json;
  let turn = 0;
  const local = (en: string) => {
    const form = languages === 'bilingual' ? 2 : turn++ % 3;
    return form === 0 ? en : form === 1 ? { en } : { en, cy: `${en} (cy)` };
  };
  const swap = (node: Record<string, unknown>, fields: readonly string[]) => {
    for (const f of fields) if (typeof node[f] === 'string') node[f] = local(node[f]);
  };
  const out = structuredClone(json) as unknown as Record<string, unknown> & { sections: Record<string, unknown>[]; bands: Record<string, unknown>[] };
  swap(out, ['name', 'description']);
  for (const section of out.sections) {
    swap(section, ['title', 'description']);
    for (const w of section.windows as Record<string, unknown>[]) swap(w, ['label']);
    for (const i of section.indicators as Record<string, unknown>[]) swap(i, ['text', 'guidance']);
  }
  for (const b of out.bands) swap(b, ['label']);
  return out as unknown as T;
}

/** Answers drawn from the definition: any indicator, any mix of true/false/omitted windows. */
export function answersFor(def: ToolDefinition): fc.Arbitrary<Answers> {
  const perIndicator = def.sections.flatMap((s) =>
    s.indicators.map((ind) =>
      fc
        .array(fc.constantFrom<'tick' | 'untick' | 'omit'>('tick', 'untick', 'omit'), {
          minLength: s.windows.length,
          maxLength: s.windows.length,
        })
        .map((states) => {
          const ticks: Record<string, boolean> = {};
          s.windows.forEach((w, i) => {
            const st = states[i];
            if (st !== 'omit') ticks[w.id] = st === 'tick';
          });
          return [ind.id, ticks] as const;
        }),
    ),
  );
  return fc.tuple(...perIndicator.map((a) => fc.option(a, { nil: undefined }))).map((entries) => Object.fromEntries(entries.filter((e) => e !== undefined)));
}

/** Every (indicator, window) pair in a definition, for "tick one more" properties. */
export function allTicks(def: ToolDefinition): { indicatorId: string; windowId: string }[] {
  return def.sections.flatMap((s) => s.indicators.flatMap((ind) => s.windows.map((w) => ({ indicatorId: ind.id, windowId: w.id }))));
}
