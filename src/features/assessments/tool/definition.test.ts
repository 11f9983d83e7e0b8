import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatPath, parseToolDefinition, textIn, textsWithoutWelsh, toolTexts } from './definition.ts';
import type { DefinitionError } from './definition.ts';
import { validDefinitionJson } from './arbitraries.ts';

// A small valid definition to break in one place per test.
/** A text as a file writes it: one text, or each language's (issue 11); `unknown` to break it. */
type Text = string | { en?: string; cy?: string; fr?: string } | number;
interface DraftSection {
  id: string;
  title: Text;
  kind: string;
  description?: Text;
  windows: { id: string; label: Text }[];
  points: { windows: string[]; points: number }[];
  indicators: { id: string; text: Text; guidance?: Text }[];
}
/** A definition's JSON, typed loosely enough to break in one place. */
interface Draft extends Record<string, unknown> {
  sections: DraftSection[];
  bands: { key: string; label: Text; level: string; min: number; max?: number }[];
  overrides: Record<string, unknown>[];
}

function minimal(): Draft {
  return {
    id: 'tiny-tool',
    version: 1,
    name: 'Tiny',
    description: 'For tests.',
    sections: [
      {
        id: 'sig',
        title: 'Significant',
        kind: 'significant',
        windows: [
          { id: 'current', label: 'now' },
          { id: 'past6to12', label: '6–12 months ago' },
        ],
        points: [
          { windows: ['current'], points: 5 },
          { windows: ['past6to12'], points: 1 },
          { windows: ['past6to12', 'current'], points: 6 }, // order within a row does not matter
        ],
        indicators: [
          { id: 'a', text: 'A' },
          { id: 'b', text: 'B', guidance: 'Why B matters.' },
        ],
      },
    ],
    bands: [
      { key: 'low', label: 'Low', level: 'low', min: 0, max: 5 },
      { key: 'high', label: 'High', level: 'high', min: 6 },
    ],
    overrides: [{ type: 'minimumCategoryIfAnyIndicator', indicators: ['a'], category: 'high' }],
  };
}

function errorsOf(json: unknown): DefinitionError[] {
  const r = parseToolDefinition(json);
  assert.equal(r.ok, false, 'expected the definition to be rejected');
  return r.ok ? [] : r.errors;
}

function hasError(json: unknown, path: string, message: RegExp): void {
  const errors = errorsOf(json);
  assert.ok(
    errors.some((e) => e.path === path && message.test(e.message)),
    `expected ${path} ~ ${message}, got ${JSON.stringify(errors)}`,
  );
}

test('a valid definition parses and gets defaults (review every 91 days)', () => {
  const { overrides: _omit, ...json } = minimal();
  const r = parseToolDefinition(json);
  assert.ok(r.ok);
  assert.equal(r.definition.reviewIntervalDays, 91);
  assert.deepEqual(r.definition.overrides, []);
});

test('rejects non-objects with a root error, never throwing', () => {
  for (const input of [null, undefined, 42, 'tool', [], true]) {
    const errors = errorsOf(input);
    assert.ok(errors.length > 0);
    assert.equal(errors[0]?.path, '(root)');
  }
});

test('field errors carry a path a person can follow', () => {
  const d = minimal();
  d['id'] = 'Not A Slug';
  d['version'] = 0;
  d.sections[0]!.indicators[1]!.text = '   ';
  const errors = errorsOf(d);
  const paths = errors.map((e) => e.path);
  assert.ok(paths.includes('id'));
  assert.ok(paths.includes('version'));
  assert.ok(paths.includes('sections[0].indicators[1].text'));
});

test('unknown keys are rejected, so typos in a loaded file fail loudly', () => {
  const d = minimal();
  d['bandz'] = [];
  hasError(d, '(root)', /bandz/);
});

test('ids must be unique', () => {
  const d = minimal();
  d.sections.push({ ...structuredClone(d.sections[0]!), title: 'Copy' });
  hasError(d, 'sections[1].id', /duplicate section id "sig"/);
  hasError(d, 'sections[1].indicators[0].id', /duplicate indicator id "a"/);

  const w = minimal();
  w.sections[0]!.windows[1]!.id = 'current';
  hasError(w, 'sections[0].windows[1].id', /duplicate window id "current"/);

  const b = minimal();
  b.bands[1]!.key = 'low';
  hasError(b, 'bands[1].key', /duplicate band key "low"/);
});

test('the points table must cover every combination of windows, once, and never drop when more is ticked', () => {
  const missing = minimal();
  missing.sections[0]!.points.pop(); // no "both" row
  hasError(missing, 'sections[0].points', /no points given for combination "current\+past6to12"/);

  const twice = minimal();
  twice.sections[0]!.points.push({ windows: ['current'], points: 5 });
  hasError(twice, 'sections[0].points[3].windows', /given points more than once/);

  const unknown = minimal();
  unknown.sections[0]!.points[0]!.windows = ['now'];
  hasError(unknown, 'sections[0].points[0].windows', /unknown window\(s\) "now"/);

  const drops = minimal();
  drops.sections[0]!.points[2]!.points = 4; // both (4) < current (5)
  hasError(drops, 'sections[0].points', /ticking more must not lower the score/);
});

test('bands must start at 0 and be ascending and contiguous', () => {
  const start = minimal();
  start.bands[0]!.min = 1;
  hasError(start, 'bands[0].min', /must start at 0/);

  const gap = minimal();
  gap.bands[0]!.max = 4; // 5 would have no band
  hasError(gap, 'bands[0].max', /must be 5/);

  const descending = minimal();
  descending.bands[1]!.min = 0;
  delete descending.bands[0]!.max;
  hasError(descending, 'bands[1].min', /must ascend/);

  const capped = minimal();
  capped.bands[1]!.max = 100;
  hasError(capped, 'bands[1].max', /last band must have no max/);
});

test('every band suggests a level of the one vocabulary, never lower than the band before', () => {
  const missing = minimal();
  delete (missing.bands[0] as Partial<Draft['bands'][number]>).level;
  hasError(missing, 'bands[0].level', /must be one of: low, medium, high/);

  const unknown = minimal();
  unknown.bands[1]!.level = 'significant';
  hasError(unknown, 'bands[1].level', /must be one of/);

  const falling = minimal();
  falling.bands[0]!.level = 'high';
  falling.bands[1]!.level = 'medium';
  hasError(falling, 'bands[1].level', /below the previous band's "high"/);

  const same = minimal();
  same.bands[1]!.level = 'low'; // two bands may suggest the same level
  assert.equal(parseToolDefinition(same).ok, true);
});

test('overrides must name a real category and real indicators', () => {
  const d = minimal();
  d.overrides = [
    { type: 'minimumCategoryUnderAge', age: 13, category: 'medium' },
    { type: 'minimumCategoryIfAnyIndicator', indicators: ['a', 'zzz'], category: 'high' },
  ];
  hasError(d, 'overrides[0].category', /unknown category "medium"; expected one of: low, high/);
  hasError(d, 'overrides[1].indicators[1]', /unknown indicator "zzz"/);

  const t = minimal();
  t.overrides = [{ type: 'neverLow' }];
  assert.ok(errorsOf(t).some((e) => e.path === 'overrides[0].type'));
});

// Issue 11: every text a person reads may be one text (every definition before Welsh) or each language's own.
test('a text may be a plain string or { en, cy }: both parse, and old definitions stay valid', () => {
  const plain = parseToolDefinition(minimal());
  assert.ok(plain.ok);
  assert.equal(plain.definition.name, 'Tiny', 'a plain string is kept as it is');

  const both = minimal();
  both['name'] = { en: 'Tiny', cy: 'Bach' };
  both['description'] = { en: 'For tests.' }; // Welsh is optional
  both['attribution'] = { en: 'Ours', cy: 'Ein un ni' };
  const section = both.sections[0]!;
  section.title = { en: 'Significant', cy: 'Sylweddol' };
  section.description = { en: 'Tick.', cy: 'Ticiwch.' };
  section.windows[0]!.label = { en: 'now', cy: 'nawr' };
  section.indicators[1]!.text = { en: 'B', cy: 'B (cy)' };
  section.indicators[1]!.guidance = { en: 'Why B matters.', cy: 'Pam mae B yn bwysig.' };
  both.bands[1]!.label = { en: 'High', cy: 'Uchel' };
  both.overrides[0]!['explanation'] = { en: 'A is serious.', cy: 'Mae A yn ddifrifol.' };
  const r = parseToolDefinition(both);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  const d = r.definition;
  assert.deepEqual(d.name, { en: 'Tiny', cy: 'Bach' });
  assert.equal(textIn(d.name, 'cy'), 'Bach');
  assert.equal(textIn(d.name, 'en'), 'Tiny');
  assert.equal(textIn(d.description, 'cy'), 'For tests.', 'no Welsh: English');
  assert.equal(textIn(d.sections[0]!.indicators[0]!.text, 'cy'), 'A', 'a plain string in every language');
  assert.equal(textIn(d.bands[1]!.label, 'cy'), 'Uchel');
  assert.equal(textIn(d.overrides[0]!.explanation!, 'cy'), 'Mae A yn ddifrifol.');
  // Stored as JSON (the database, an uploaded file) and read back the same.
  const again = parseToolDefinition(JSON.parse(JSON.stringify(d)));
  assert.ok(again.ok);
  assert.deepEqual(again.definition, d);
});

test('a text in languages needs English, only English and Welsh, and no empty text', () => {
  const noEnglish = minimal();
  noEnglish['name'] = { cy: 'Bach' };
  hasError(noEnglish, 'name', /must be a text, or the text in each language/);

  const french = minimal();
  french['name'] = { en: 'Tiny', fr: 'Petit' };
  hasError(french, 'name', /fr/);

  const emptyWelsh = minimal();
  emptyWelsh.sections[0]!.indicators[0]!.text = { en: 'A', cy: '  ' };
  hasError(emptyWelsh, 'sections[0].indicators[0].text.cy', /must not be empty/);

  const notText = minimal();
  notText.bands[0]!.label = 5;
  hasError(notText, 'bands[0].label', /must be a text/);
});

test('band labels must differ in Welsh too', () => {
  const d = minimal();
  d.bands[0]!.label = { en: 'Low', cy: 'Isel' };
  d.bands[1]!.label = { en: 'High', cy: 'Isel' };
  hasError(d, 'bands[1].label', /duplicate band label "Isel"/);

  const english = minimal();
  english.bands[1]!.label = 'Low';
  const errors = errorsOf(english).filter((e) => e.path === 'bands[1].label');
  assert.equal(errors.length, 1, 'a label alike in English is told once, not again for Welsh');
});

test('toolTexts lists every text a person reads; textsWithoutWelsh those a Welsh page shows in English', () => {
  const r = parseToolDefinition(minimal());
  assert.ok(r.ok);
  assert.deepEqual(
    toolTexts(r.definition).map((t) => t.path),
    [
      'name',
      'description',
      'sections[0].title',
      'sections[0].windows[0].label',
      'sections[0].windows[1].label',
      'sections[0].indicators[0].text',
      'sections[0].indicators[1].text',
      'sections[0].indicators[1].guidance',
      'bands[0].label',
      'bands[1].label',
    ],
  );
  assert.deepEqual(
    textsWithoutWelsh(r.definition),
    toolTexts(r.definition).map((t) => t.path),
    'a plain definition has no Welsh',
  );

  const d = minimal();
  d['name'] = { en: 'Tiny', cy: 'Bach' };
  d['description'] = { en: 'For tests.' };
  const welsh = parseToolDefinition(d);
  assert.ok(welsh.ok);
  assert.ok(!textsWithoutWelsh(welsh.definition).includes('name'));
  assert.ok(textsWithoutWelsh(welsh.definition).includes('description'), 'English only ({ en }) has no Welsh');
});

test('formatPath', () => {
  assert.equal(formatPath([]), '(root)');
  assert.equal(formatPath(['sections', 0, 'indicators', 12, 'id']), 'sections[0].indicators[12].id');
});

// Property (b): untrusted JSON can never crash an upload.
test('property: parseToolDefinition never throws on arbitrary JSON, and explains every rejection', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (json) => {
      const r = parseToolDefinition(json);
      if (!r.ok) {
        assert.ok(r.errors.length > 0);
        for (const e of r.errors) assert.ok(typeof e.path === 'string' && e.message.length > 0);
      }
    }),
    { numRuns: 500 },
  );
});

test('property: a valid definition with one random value replaced never throws', () => {
  fc.assert(
    fc.property(validDefinitionJson, fc.array(fc.nat()), fc.jsonValue(), (def, route, junk) => {
      // Walk a random route into the definition and drop junk there.
      let node: unknown = structuredClone(def);
      const root = node;
      for (const step of route) {
        if (node === null || typeof node !== 'object') break;
        const container = node as Record<string, unknown>;
        const keys = Object.keys(container);
        const k = keys[step % Math.max(keys.length, 1)];
        if (k === undefined || container[k] === null || typeof container[k] !== 'object') {
          if (k !== undefined) container[k] = junk;
          break;
        }
        node = container[k];
      }
      parseToolDefinition(root); // must return, not throw
    }),
    { numRuns: 300 },
  );
});

// Property (c): the schema accepts everything the generator claims is valid...
test('property: generated valid definitions are accepted, and re-parse to themselves', () => {
  fc.assert(
    fc.property(validDefinitionJson, (json) => {
      const r = parseToolDefinition(json);
      assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
      const again = parseToolDefinition(JSON.parse(JSON.stringify(r.definition)));
      assert.ok(again.ok);
      assert.deepEqual(again.definition, r.definition);
    }),
    { numRuns: 300 },
  );
});

// ...and rejects any mutation that breaks the bands' cover of 0 upward.
type BandJson = { key: string; label: string; level: string; min: number; max?: number };
const bandMutation = fc.oneof(
  fc.record({ kind: fc.constant('first-not-zero' as const), by: fc.integer({ min: 1, max: 50 }) }),
  fc.record({ kind: fc.constant('max-gap-or-overlap' as const), at: fc.nat(), by: fc.integer({ min: -30, max: 30 }).filter((n) => n !== 0) }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('repeat-min' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('cap-last' as const), by: fc.nat(100) }),
);

type BandMutation = typeof bandMutation extends fc.Arbitrary<infer T> ? T : never;

function mutateBands(bands: BandJson[], m: BandMutation): void {
  const last = bands[bands.length - 1]!;
  const i = ('at' in m ? m.at : 0) % Math.max(bands.length - 1, 1); // an index with a next band, if any
  const b = bands[i]!;
  const next = bands[i + 1];
  switch (m.kind) {
    case 'first-not-zero':
      bands[0]!.min += m.by;
      return;
    case 'max-gap-or-overlap':
      if (next)
        b.max = next.min - 1 + m.by; // any max other than next.min - 1 leaves a gap or an overlap
      else b.max = b.min + Math.abs(m.by); // a single band must stay open-ended
      return;
    case 'swap':
      if (next) [bands[i], bands[i + 1]] = [next, b];
      else b.min += 1;
      return;
    case 'repeat-min':
      if (next) next.min = b.min;
      else b.min += 1;
      return;
    case 'cap-last':
      last.max = last.min + m.by;
      return;
  }
}

test('property: mutations that break band contiguity are rejected with a bands error', () => {
  fc.assert(
    fc.property(validDefinitionJson, bandMutation, (generated, m) => {
      const json = structuredClone(generated); // fast-check may replay the original while shrinking
      const bands = json.bands as BandJson[];
      mutateBands(bands, m);
      const errors = errorsOf(json);
      assert.ok(
        errors.some((e) => e.path.startsWith('bands')),
        JSON.stringify({ m, bands, errors }),
      );
    }),
    { numRuns: 300 },
  );
});
