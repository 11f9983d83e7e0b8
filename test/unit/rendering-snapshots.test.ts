/**
 * Pages with long repeated rows render byte for byte what the committed snapshots hold. The rows
 * of these pages are written as plain markup rather than a GOV.UK macro call per row or cell
 * (docs/PERFORMANCE.md, "Rendering"); the snapshots were taken from the templates that still called
 * the macros, so the pages are the same. After a deliberate change to one of these pages:
 *
 *   LANTERN_UPDATE_SNAPSHOTS=1 npm test -- rendering-snapshots
 *
 * and read the diff of test/unit/snapshots/rendering/ before committing it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, test } from 'node:test';
import type { TFunction } from 'i18next';
import { createViewEnvironment } from '../../src/web/render.ts';
import { initI18n, translator } from '../../src/i18n/i18n.ts';
import { renderCase, viewCases } from '../helpers/view-fixtures.ts';

const snapshots = path.join(path.dirname(fileURLToPath(import.meta.url)), 'snapshots', 'rendering');
const update = process.env.LANTERN_UPDATE_SNAPSHOTS === '1';
const env = createViewEnvironment({ cache: true });
let t: TFunction;

before(async () => {
  await initI18n();
  t = translator('en');
});

// Nine rows go through every state the fixtures cycle through; no rows shows each list's empty state.
// The whole page once; for the other variants only <main>, the layout around it being the same.
const variants = [
  { suffix: '', rows: 9, canAll: true, part: (html: string) => html },
  { suffix: '.read-only', rows: 9, canAll: false, part: main },
  { suffix: '.empty', rows: 0, canAll: true, part: main },
];

function main(html: string): string {
  const start = html.indexOf('<main');
  const end = html.indexOf('</main>');
  assert.ok(start >= 0 && end > start, 'the page has a <main> element');
  return html.slice(start, end + '</main>'.length);
}

for (const view of viewCases) {
  test(`${view.name} (${view.template}) renders as its snapshot`, () => {
    for (const variant of variants) {
      const file = path.join(snapshots, `${view.name.replace(/\W+/g, '-').replace(/-$/, '')}${variant.suffix}.html`);
      const html = variant.part(renderCase(env, t, view, variant.rows, variant.canAll));
      if (update) {
        fs.mkdirSync(snapshots, { recursive: true });
        fs.writeFileSync(file, html);
        continue;
      }
      assert.ok(fs.existsSync(file), `no snapshot ${path.relative(process.cwd(), file)}: run with LANTERN_UPDATE_SNAPSHOTS=1`);
      // Byte for byte: no whitespace is normalised.
      const expected = fs.readFileSync(file, 'utf8');
      if (html !== expected) assert.equal(html, expected, `${path.basename(file)} differs from its snapshot`);
    }
  });
}

test('synthetic text that needs escaping is escaped on every page', () => {
  for (const view of viewCases) {
    const html = renderCase(env, t, view, 9);
    assert.doesNotMatch(html, /<Sons>|<visit>|<sync>|<urgent>/, `${view.name}: unescaped synthetic text`);
  }
});

test('no page repeats an id (labels, error links and skip links point at one element)', () => {
  for (const view of viewCases) {
    const html = renderCase(env, t, view, 9);
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    const repeated = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
    assert.deepEqual(repeated, [], `${view.name}: ids used twice`);
  }
});
