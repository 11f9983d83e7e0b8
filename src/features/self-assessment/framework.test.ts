import assert from 'node:assert/strict';
import { test } from 'node:test';
import { builtInFrameworks, changeBetween, compare, frameworkSchema, standardsOf } from './framework.ts';

const f = builtInFrameworks[0]!;

test('every shipped framework is valid and written in English and Welsh', () => {
  assert.ok(builtInFrameworks.length >= 2);
  for (const framework of builtInFrameworks) {
    const texts = [framework.name, ...framework.scale.map((o) => o.label), ...framework.themes.flatMap((t) => [t.title, ...t.standards.map((s) => s.text)])];
    for (const t of texts) assert.ok(typeof t === 'object' && t.en && t.cy, JSON.stringify(t));
    assert.ok(
      framework.scale.some((o) => o.score === null),
      'a "not assessed" rating',
    );
  }
});

test('a framework with a standard twice is refused', () => {
  const twice = { ...f, themes: [f.themes[0]!, { ...f.themes[1]!, standards: f.themes[0]!.standards }] };
  assert.equal(frameworkSchema.safeParse(twice).success, false);
});

test('change by score: improved, same, worse; not assessed compares with nothing', () => {
  assert.equal(changeBetween(f, 'not-met', 'partly-met'), 'improved');
  assert.equal(changeBetween(f, 'fully-met', 'fully-met'), 'same');
  assert.equal(changeBetween(f, 'fully-met', 'not-met'), 'worse');
  assert.equal(changeBetween(f, 'not-assessed', 'fully-met'), 'not-comparable');
  assert.equal(changeBetween(f, undefined, 'fully-met'), 'not-comparable');
});

test('comparison: years in order, changes and counts per year', () => {
  const [a, b, c] = standardsOf(f).map((s) => s.id);
  const result = compare(f, [
    { id: '2', year: 2026, title: '', status: 'draft', ratings: { [a!]: 'fully-met', [b!]: 'not-met', [c!]: 'partly-met' } },
    { id: '1', year: 2025, title: '', status: 'complete', ratings: { [a!]: 'partly-met', [b!]: 'partly-met', [c!]: 'partly-met' } },
  ]);
  assert.deepEqual(
    result.years.map((y) => y.year),
    [2025, 2026],
  );
  assert.deepEqual(
    result.rows.slice(0, 3).map((r) => r.cells[1]!.change),
    ['improved', 'worse', 'same'],
  );
  assert.equal(result.counts[0]!.byRating['partly-met'], 3);
  assert.equal(result.counts[1]!.unrated, standardsOf(f).length - 3);
  assert.equal(result.changes[1]!.improved, 1);
  assert.equal(result.changes[1]!.worse, 1);
  assert.equal(result.changes[1]!.same, 1);
});
