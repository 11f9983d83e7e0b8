import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { flatLocale } from '../../src/i18n/i18n.ts';

// Issue 11: Welsh resources live in src/i18n/locales/cy, file for file beside English. A key without
// Welsh would fall back to English: every key must have its own Welsh, in Welsh words.

const localesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'i18n', 'locales');

// Every file is fully Welsh now (issue 11): a new key without its Welsh fails below.

/** Welsh text that is rightly the same as the English, with the reason. */
const sameInBoth: Record<string, string> = {
  'common.serviceName': 'the product’s name, Lantern, is not translated',
  'common.languageName.en': 'each language is named in itself: “English” on a Welsh page',
  'common.languageName.cy': 'each language is named in itself: “Cymraeg” on an English page',
  'auditRecordTypes.user': 'Welsh “person” is the same word, and matches “Wedi ychwanegu person” in the audit actions',
  'lifecycle.dormant.person': 'Welsh “person” is the same word (as auditRecordTypes.user)',
  'strategy.cost': 'Welsh “cost” is the same word as the English',
  'assurance.materialKind.poster': 'Welsh “poster” is the same word as the English',
  'casework.tools.problemAt': 'only placeholders: where in the definition, then the problem',
  'casework.worklists.count': 'only a placeholder: the number of items in a list',
  'children.neighbourCheck.caption': 'only placeholders: the child’s name and reference',
  'duplicates.pair.decidedBy': 'only placeholders: who decided, and when',
  'children.export.csv': 'the file format’s name, CSV, is the same in Welsh',
  'children.export.xlsx': 'the product and file format, Excel (XLSX), are the same in Welsh',
  'children.childFlags.editTitle': 'only placeholders (the flag, the child’s name and reference) and a dash',
  'children.childFlags.system': 'the product’s name, Lantern, shown as who recorded a flag, is not translated',
  'children.reporter.campaign': 'only placeholders: a campaign’s title and its partnership’s name',
  'published.download.notes.notApplicable': 'the symbol z (not applicable) is the same in Welsh, as in the published tables',
  'intelligence.object.model': 'Welsh “model” (of a vehicle) is the same word as the English',
};

const en = flatLocale('en');
const cy = flatLocale('cy');

/** A plural key's forms: English has _one/_other, Welsh may have _zero/_one/_two/_few/_many/_other. */
const pluralSuffix = /_(zero|one|two|few|many|other)$/;
const base = (key: string) => key.replace(pluralSuffix, '');
const cyBases = new Set([...cy.keys()].map(base));

test('the Welsh locale has the same files as the English', () => {
  const files = (lang: string) =>
    fs
      .readdirSync(path.join(localesDir, lang))
      .filter((f) => f.endsWith('.json'))
      .sort();
  assert.deepEqual(files('cy'), files('en'));
});

test('how many keys each file still lacks in Welsh (shown in English until translated)', (t) => {
  const lacking = new Map<string, number>();
  for (const key of en.keys()) {
    const file = key.split('.')[0]!;
    if (!cyBases.has(base(key))) lacking.set(file, (lacking.get(file) ?? 0) + 1);
    else lacking.set(file, lacking.get(file) ?? 0);
  }
  const total = [...lacking.values()].reduce((a, b) => a + b, 0);
  t.diagnostic(`Welsh keys still to translate: ${total} of ${en.size}`);
  for (const [file, n] of [...lacking].sort()) t.diagnostic(`  ${file}: ${n} of ${[...en.keys()].filter((k) => k.startsWith(`${file}.`)).length} missing`);
});

test('every key has its Welsh, in Welsh words', () => {
  const missing: string[] = [];
  const same: string[] = [];
  for (const [key, text] of en) {
    const welsh = cy.get(key) ?? (pluralSuffix.test(key) ? cy.get(key.replace(pluralSuffix, '_other')) : undefined);
    if (welsh === undefined) missing.push(key);
    else if (welsh === text && !(key in sameInBoth)) same.push(`${key}: “${text}”`);
  }
  assert.deepEqual(missing, [], 'keys missing in Welsh');
  assert.deepEqual(same, [], 'Welsh text identical to the English (add to sameInBoth with a reason if right)');
  for (const key of Object.keys(sameInBoth)) assert.ok(en.has(key), `${key} in the allow-list exists`);
});

test('Welsh keys exist in English, plurals have the Welsh forms, and placeholders match', () => {
  const orphans = [...cy.keys()].filter((k) => !en.has(k) && !en.has(`${base(k)}_other`) && !en.has(`${base(k)}_one`));
  assert.deepEqual(orphans, [], 'Welsh keys with no English');
  const problems: string[] = [];
  for (const [key, text] of cy) {
    const english = en.get(key) ?? en.get(`${base(key)}_other`) ?? '';
    const names = (s: string) => [...s.matchAll(/\{\{\s*([\w.]+)[^}]*\}\}/g)].map((m) => m[1]).sort();
    if (JSON.stringify(names(text)) !== JSON.stringify(names(english))) problems.push(`${key}: placeholders differ`);
    if (/\w'\w/.test(text)) problems.push(`${key}: straight apostrophe (use ’)`);
  }
  // A plural in Welsh has all six forms (Intl.PluralRules('cy'): zero, one, two, few, many, other).
  // A key such as ethnicities.asian_other is a value, not a plural: English has no asian_one.
  const plurals = new Set([...cy.keys()].filter((k) => pluralSuffix.test(k) && en.has(`${base(k)}_one`)).map(base));
  for (const key of plurals) {
    for (const form of ['zero', 'one', 'two', 'few', 'many', 'other']) if (!cy.has(`${key}_${form}`)) problems.push(`${key}: no _${form} form`);
  }
  assert.deepEqual(problems, []);
});
