import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

/** Rules from docs/ARCHITECTURE.md that a grep can hold us to. */
function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? files(full) : full.endsWith('.ts') && !full.endsWith('.test.ts') ? [full] : [];
  });
}
const source = files('src').map((file) => ({ file, text: fs.readFileSync(file, 'utf8') }));

test('only the named places run outside row-level security (withSystem)', () => {
  const allowed = new Set([
    'src/db/context.ts', 'src/auth/service.ts', 'src/cli/user-create.ts', 'src/seed/demo.ts',
    'src/features/children/service.ts', // the public concern form and its list of partnerships
    'src/features/children/api/tokens.ts', // resolving an API token before there is an actor
  ]);
  const users = source.filter((f) => /\bwithSystem\b/.test(f.text)).map((f) => f.file);
  assert.deepEqual(users.filter((f) => !allowed.has(f)), []);
});

test('configuration is read from the environment in one place', () => {
  const readers = source.filter((f) => /process\.env/.test(f.text)).map((f) => f.file);
  assert.deepEqual(readers, ['src/config/config.ts']);
});

test('route handlers never touch SQL: routes go through services', () => {
  const routes = source.filter((f) => /\/routes\.ts$/.test(f.file));
  assert.ok(routes.length >= 8);
  const offenders = routes.filter((f) => /from 'kysely'|\.selectFrom\(|\.insertInto\(|\.updateTable\(|\bsql`/.test(f.text)).map((f) => f.file);
  assert.deepEqual(offenders, []);
});

test('audit rows are written only through recordAudit', () => {
  const offenders = source.filter((f) => /insertInto\('audit_events'\)/.test(f.text) && f.file !== 'src/audit/audit.ts').map((f) => f.file);
  assert.deepEqual(offenders, []);
});

test('uploads go through src/uploads: capped multipart, csv-parse behind its caps, exceljs reads behind the zip checks', () => {
  const multipart = source.filter((f) => /register\(multipart/.test(f.text));
  assert.ok(multipart.length >= 3);
  const uncapped = multipart.filter((f) => !/throwFileSizeLimit: false/.test(f.text) || !/fileSize: multipartFileLimit\(/.test(f.text)).map((f) => f.file);
  assert.deepEqual(uncapped, []);
  assert.deepEqual(source.filter((f) => /from 'csv-parse/.test(f.text)).map((f) => f.file), ['src/uploads/csv.ts']);
  const readers = source.filter((f) => /\.xlsx\.load\(/.test(f.text));
  assert.deepEqual(readers.map((f) => f.file), ['src/features/strategy/reports/plan-file.ts']);
  assert.match(readers[0]!.text, /checkWorkbook\(/);
});
