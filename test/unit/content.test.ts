import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import i18next from 'i18next';
import { roles, agencyKinds } from '../../src/authz/roles.ts';
import { errorCodes } from '../../src/errors.ts';
import { initI18n, loadLocale } from '../../src/i18n/i18n.ts';
import { listMigrations } from '../../src/db/migrate.ts';

before(async () => {
  await initI18n();
});

function files(dir: string, ext: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? files(full, ext) : e.name.endsWith(ext) ? [full] : [];
  });
}

test('every literal translation key used in templates and code exists', () => {
  const missing: string[] = [];
  for (const file of [...files('src', '.njk'), ...files('src', '.ts')]) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z][\w.-]*)'/g)) {
      // A key ending in "." is a prefix joined at run time; the next test covers those.
      const key = m[1]!;
      const known = i18next.exists(key) || i18next.exists(`${key}_other`); // plurals live under key_one / key_other
      if (!key.endsWith('.') && !known) missing.push(`${file}: ${m[1]}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('every success banner a save names exists (reply.saved and the keys handed to it)', () => {
  const missing: string[] = [];
  let found = 0;
  for (const file of files('src', '.ts')) {
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/'(flash\.[\w.]+)'/g)) {
      found++;
      if (!i18next.exists(m[1]!)) missing.push(`${file}: ${m[1]}`);
    }
  }
  assert.ok(found > 40, 'the saves name their banners');
  assert.deepEqual(missing, []);
});

test('keys built at run time exist: roles, agency kinds, error pages', () => {
  for (const role of roles) assert.ok(i18next.exists(`roles.${role}`) && i18next.exists(`roles.${role}Hint`), role);
  for (const kind of agencyKinds) assert.ok(i18next.exists(`agencyKinds.${kind}`), kind);
  for (const { messageKey } of Object.values(errorCodes)) {
    assert.ok(i18next.exists(messageKey) && i18next.exists(`${messageKey}Title`), messageKey);
  }
});

test('every audit action has a readable name', () => {
  const source = fs.readFileSync('src/audit/audit.ts', 'utf8');
  const union = source.slice(source.indexOf('export type AuditAction'), source.indexOf(';', source.indexOf('export type AuditAction')));
  const actions = [...union.matchAll(/'([a-z_.-]+)'/g)].map((m) => m[1]!);
  assert.ok(actions.length > 10);
  const names = loadLocale('en').auditActions as Record<string, string>;
  assert.deepEqual(
    actions.filter((a) => !names[a]),
    [],
  );
});

test('content style: curly apostrophes and no “click here” in user-facing text', () => {
  const problems: string[] = [];
  const walk = (value: unknown, key: string) => {
    if (typeof value === 'string') {
      if (/click here/i.test(value)) problems.push(`${key}: says "click here"`);
      if (/\w'\w|\w'(?=\s|$)/.test(value)) problems.push(`${key}: straight apostrophe (use ’)`);
      if (/\s$|^\s/.test(value)) problems.push(`${key}: leading or trailing space`);
    } else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, `${key}.${k}`);
  };
  walk(loadLocale('en'), 'en');
  assert.deepEqual(problems, []);
});

test('migrations are numbered once each and forward-only files exist', () => {
  const migrations = listMigrations();
  assert.ok(migrations.length >= 4);
  assert.equal(new Set(migrations.map((m) => m.name.slice(0, 4))).size, migrations.length);
});

test('no English sits in templates outside the resource files: every word a template shows comes from t()', () => {
  // What is left of a template without its tags, Nunjucks expressions, statements and comments must have no words,
  // and no component is given literal text. The names of the cookies on the privacy page are codes, not words.
  const allowedWords = new Set(['lantern_session', 'lantern_csrf', 'lantern_lang']);
  const problems: string[] = [];
  for (const file of files('src', '.njk')) {
    const source = fs.readFileSync(file, 'utf8');
    const left = source
      .replace(/\{#[\s\S]*?#\}/g, ' ')
      .replace(/\{%[\s\S]*?%\}/g, ' ')
      .replace(/\{\{[\s\S]*?\}\}/g, ' ')
      .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1>/g, ' ')
      .replace(/<[^>]*>/g, ' ');
    for (const word of left.match(/[A-Za-z][A-Za-z’'_-]+/g) ?? [])
      if (!allowedWords.has(word) && !/^(amp|nbsp|quot|middot|ndash|mdash|rsquo|lsquo)$/.test(word)) problems.push(`${file}: “${word}”`);
    for (const m of source.matchAll(
      /\b(?:text|html|titleText|iconFallbackText|visuallyHiddenText|label|hint|legend|caption)\s*:\s*'([^']*[A-Za-z]{3,}[^']*)'/g,
    )) {
      if (!/^<code>[a-z_,]+<\/code>$/.test(m[1]!)) problems.push(`${file}: literal “${m[1]}”`);
    }
    for (const m of source.matchAll(/\s(?:aria-label|title|alt|placeholder)="([^"{]*[A-Za-z]{3,}[^"]*)"/g)) problems.push(`${file}: attribute “${m[1]}”`);
  }
  assert.deepEqual(problems, []);
});
