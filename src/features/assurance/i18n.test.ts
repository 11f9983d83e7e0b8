import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { loadLocale } from '../../i18n/i18n.ts';
import { ragStatuses } from '../strategy/domain/rag.ts';
import { audiences, bodyKinds, courseKinds, materialKinds, questionScales, responses, scaleAnswers } from './schema.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const strings = loadLocale('en');
const has = (key: string) => {
  const found = (k: string) =>
    k.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), strings);
  return typeof found(key) === 'string' || typeof found(`${key}_other`) === 'string';
};

describe('assurance strings', () => {
  test('every key the feature uses exists', () => {
    const files = [
      ...fs.readdirSync(path.join(here, 'views')).map((f) => path.join(here, 'views', f)),
      ...fs
        .readdirSync(here)
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
        .map((f) => path.join(here, f)),
    ];
    const missing: string[] = [];
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/'((?:assurance|validation|nav)\.[A-Za-z0-9_.-]+[A-Za-z0-9_-])'/g))
        if (!has(m[1]!)) missing.push(`${path.basename(file)}: ${m[1]}`);
    }
    assert.deepEqual(missing, []);
  });

  test('every value a page labels has a label', () => {
    const groups: [string, readonly string[]][] = [
      ['courseKind', courseKinds],
      ['audience', audiences],
      ['materialKind', materialKinds],
      ['scale', questionScales],
      ['answer', Object.values(scaleAnswers).flat()],
      ['bodyKind', bodyKinds],
      ['response', responses],
      ['rag', ragStatuses],
      ['ragMeaning', ragStatuses],
      ['import.matches', ['user', 'staff', 'new', 'already']],
    ];
    const missing = groups.flatMap(([group, values]) => values.map((v) => `assurance.${group}.${v}`).filter((k) => !has(k)));
    assert.deepEqual(missing, []);
  });
});
