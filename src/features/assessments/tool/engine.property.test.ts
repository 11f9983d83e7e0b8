// Properties of scoring, on the shipped tools and on generated definitions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseToolDefinition } from './definition.ts';
import type { ToolDefinition } from './definition.ts';
import { bandIndexFor, scoreAssessment } from './engine.ts';
import type { Answers, ScoredAssessment } from './engine.ts';
import { allTicks, answersFor, validDefinitionJson } from './arbitraries.ts';
import { builtInTools } from './tools/index.ts';

const generatedTool = validDefinitionJson.map((json) => {
  const r = parseToolDefinition(json);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.definition;
});
const anyTool: fc.Arbitrary<ToolDefinition> = fc.oneof(fc.constantFrom(...builtInTools), generatedTool);
const age = fc.integer({ min: 0, max: 25 });

// A definition, answers drawn from it, an age, and one (indicator, window) to tick in addition.
const scenario = anyTool.chain((def) =>
  fc.record({
    def: fc.constant(def),
    answers: answersFor(def),
    ageYears: age,
    extra: fc.constantFrom(...allTicks(def)),
  }),
);

function mustScore(def: ToolDefinition, answers: Answers, ageYears: number): ScoredAssessment {
  const r = scoreAssessment(def, answers, { ageYears });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  return r.assessment;
}
const rank = (def: ToolDefinition, key: string) => def.bands.findIndex((b) => b.key === key);

test('property: answers drawn from a definition always score, and the sums add up', () => {
  fc.assert(
    fc.property(scenario, ({ def, answers, ageYears }) => {
      const a = mustScore(def, answers, ageYears);
      assert.equal(
        a.total,
        a.sections.reduce((sum, s) => sum + s.subtotal, 0),
      );
      for (const s of a.sections)
        assert.equal(
          s.subtotal,
          s.indicators.reduce((sum, i) => sum + i.points, 0),
        );
      assert.equal(a.band, def.bands[bandIndexFor(def.bands, a.total)]);
      assert.ok(a.explanation.length > 0);
    }),
    { numRuns: 400 },
  );
});

test('property: the category is never below the band, and is raised only by an applied override', () => {
  fc.assert(
    fc.property(scenario, ({ def, answers, ageYears }) => {
      const a = mustScore(def, answers, ageYears);
      assert.ok(rank(def, a.category.key) >= rank(def, a.band.key));
      assert.equal(a.raisedByOverride, rank(def, a.category.key) > rank(def, a.band.key));
      const highest = Math.max(rank(def, a.band.key), ...a.overrides.map((o) => rank(def, o.category.key)));
      assert.equal(rank(def, a.category.key), highest);
    }),
    { numRuns: 400 },
  );
});

test('property: ticking one more indicator or window never lowers the score or category', () => {
  fc.assert(
    fc.property(scenario, ({ def, answers, ageYears, extra }) => {
      const before = mustScore(def, answers, ageYears);
      const more: Answers = {
        ...answers,
        [extra.indicatorId]: { ...answers[extra.indicatorId], [extra.windowId]: true },
      };
      const after = mustScore(def, more, ageYears);
      assert.ok(after.total >= before.total);
      assert.ok(rank(def, after.category.key) >= rank(def, before.category.key));
    }),
    { numRuns: 400 },
  );
});

test('property: scoring never throws, whatever arrives from a form', () => {
  const junkAnswers = fc.dictionary(
    fc.oneof(fc.string(), fc.constantFrom('v-looked-after', 's-disclosure', 'current')),
    fc.oneof(fc.anything(), fc.dictionary(fc.constantFrom('ever', 'current', 'past6to12', 'x'), fc.anything())),
  );
  fc.assert(
    fc.property(anyTool, junkAnswers, fc.oneof(age, fc.double()), (def, answers, ageYears) => {
      const r = scoreAssessment(def, answers as Answers, { ageYears });
      assert.equal(typeof r.ok, 'boolean');
      if (!r.ok) assert.ok(r.errors.length > 0);
    }),
    { numRuns: 400 },
  );
});
