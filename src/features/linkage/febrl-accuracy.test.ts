import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runLinkage, type LinkageRecord } from './engine/model.ts';
import { readRecords, readSettings } from './files.ts';
import type { LinkageSettings } from './settings.ts';

/**
 * Accuracy on the open FEBRL benchmarks with the shipped settings (examples/linkage/febrl.json),
 * against the truth in the record ids (rec-N-org and rec-N-dup-K are the same person N). The
 * counts are exact: the model is deterministic, so any change to it shows here and in docs/LINKAGE.md.
 */
const fixture = (name: string) => fileURLToPath(new URL(`../../../test/fixtures/febrl/${name}`, import.meta.url));
const settings = readSettings(fileURLToPath(new URL('../../../examples/linkage/febrl.json', import.meta.url)));
const person = (record: LinkageRecord) => /^rec-(\d+)-/.exec(record.rec_id ?? '')![1]!;

function measure(t: TestContext, name: string, left: LinkageRecord[], right?: LinkageRecord[], extra: Partial<LinkageSettings> = {}) {
  const started = performance.now();
  const result = runLinkage({ ...settings, ...extra }, left, right);
  const milliseconds = performance.now() - started;
  const other = right ?? left;
  const truePositives = result.pairs.filter((p) => person(left[p.left]!) === person(other[p.right]!)).length;
  const people = new Map<string, [number, number]>();
  for (const r of left) people.set(person(r), [(people.get(person(r))?.[0] ?? 0) + 1, 0]);
  for (const r of right ?? []) {
    const seen = people.get(person(r));
    if (seen) seen[1] += 1;
  }
  let truePairs = 0;
  for (const [inLeft, inRight] of people.values()) truePairs += right ? inLeft * inRight : (inLeft * (inLeft - 1)) / 2;
  const precision = truePositives / result.pairs.length;
  const recall = truePositives / truePairs;
  const f1 = (2 * precision * recall) / (precision + recall);
  t.diagnostic(
    `${name}: ${result.candidates} candidate pairs, ${result.pairs.length} found, ${truePositives} true of ${truePairs}; ` +
      `precision ${precision.toFixed(4)}, recall ${recall.toFixed(4)}, F1 ${f1.toFixed(4)}; λ ${result.lambda.toPrecision(3)} after ${result.iterations} EM iterations; ${Math.round(milliseconds)} ms`,
  );
  return { candidates: result.candidates, found: result.pairs.length, truePositives, truePairs, f1 };
}

test('FEBRL4: 4a linked to 4b at the default threshold, F1 ≥ 0.99', (t) => {
  const figures = measure(t, 'FEBRL4', readRecords(fixture('dataset4a.csv'), settings), readRecords(fixture('dataset4b.csv'), settings));
  assert.ok(figures.f1 >= 0.99, `F1 ${figures.f1}`);
  assert.deepEqual(figures, { candidates: 142_837, found: 5_000, truePositives: 5_000, truePairs: 5_000, f1: 1 });
});

test('FEBRL4 one to one: at a threshold of 0.001 the extra pairs go, each record of 4a paired once', (t) => {
  const [a, b] = [readRecords(fixture('dataset4a.csv'), settings), readRecords(fixture('dataset4b.csv'), settings)];
  const loose = measure(t, 'FEBRL4 at 0.001', a, b, { threshold: 0.001 });
  const oneToOne = measure(t, 'FEBRL4 at 0.001, one to one', a, b, { threshold: 0.001, oneToOne: true });
  assert.deepEqual(loose, { candidates: 142_837, found: 5_006, truePositives: 5_000, truePairs: 5_000, f1: loose.f1 });
  assert.deepEqual(oneToOne, { candidates: 142_837, found: 5_000, truePositives: 5_000, truePairs: 5_000, f1: 1 });
});

test('FEBRL1: deduplication of 1,000 records', (t) => {
  const figures = measure(t, 'FEBRL1', readRecords(fixture('dataset1.csv'), settings));
  assert.ok(figures.f1 >= 0.9, `F1 ${figures.f1}`);
  assert.deepEqual(figures, { candidates: 3_067, found: 500, truePositives: 500, truePairs: 500, f1: 1 });
});

test('FEBRL2: deduplication of 5,000 records', (t) => {
  const figures = measure(t, 'FEBRL2', readRecords(fixture('dataset2.csv'), settings));
  assert.ok(figures.f1 >= 0.9, `F1 ${figures.f1}`);
  assert.deepEqual(figures, { candidates: 76_976, found: 1_934, truePositives: 1_934, truePairs: 1_934, f1: 1 });
});
