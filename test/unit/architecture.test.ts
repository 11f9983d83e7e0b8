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

test('only the command line and the seeder run as the owner (withSystem, withTrustedActor)', () => {
  const allowed = new Set([
    'src/db/context.ts',
    'src/cli/user-create.ts',
    'src/cli/accounts.ts', // the account lifecycle commands, acting as the partnership's administrator
    'src/seed/demo.ts',
    'src/auth/seal-secrets.ts', // sealing TOTP secrets stored in plain text, once, at start-up
  ]);
  const users = source.filter((f) => /\bwith(System|TrustedActor)\b/.test(f.text)).map((f) => f.file);
  assert.deepEqual(
    users.filter((f) => !allowed.has(f)),
    [],
  );
});

test('only sign-in and API-token resolution run as the sign-in role (withAuth)', () => {
  const allowed = new Set(['src/db/context.ts', 'src/auth/service.ts', 'src/features/children/api/tokens.ts']);
  const users = source.filter((f) => /\bwithAuth\b/.test(f.text)).map((f) => f.file);
  assert.deepEqual(
    users.filter((f) => !allowed.has(f)),
    [],
  );
});

test('requests never hold the owner: no route or service reaches handle.owner', () => {
  const offenders = source.filter((f) => /features\//.test(f.file) && /\bhandle\.owner\b|\bwithSystem\b/.test(f.text)).map((f) => f.file);
  assert.deepEqual(offenders, []);
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

test('audit rows are written only through recordAudit (or recordExplicitAudit, for sign-in and the command line)', () => {
  const offenders = source.filter((f) => /insertInto\('audit_events'\)/.test(f.text) && f.file !== 'src/audit/audit.ts').map((f) => f.file);
  assert.deepEqual(offenders, []);
});

test('uploads go through src/uploads: capped multipart, csv-parse behind its caps, exceljs reads behind the zip checks', () => {
  // Multipart is registered in one place, capped; each upload context calls acceptUploads with its limits.
  const multipart = source.filter((f) => /register\(multipart|from '@fastify\/multipart'/.test(f.text));
  assert.deepEqual(
    multipart.map((f) => f.file),
    ['src/uploads/multipart.ts'],
  );
  assert.match(multipart[0]!.text, /throwFileSizeLimit: false/);
  assert.match(multipart[0]!.text, /fileSize: multipartFileLimit\(/);
  assert.ok(source.filter((f) => /await acceptUploads\(/.test(f.text)).length >= 3);
  assert.deepEqual(
    source.filter((f) => /from 'csv-parse/.test(f.text)).map((f) => f.file),
    ['src/uploads/csv.ts'],
  );
  const readers = source.filter((f) => /\.xlsx\.load\(/.test(f.text));
  assert.deepEqual(
    readers.map((f) => f.file),
    ['src/features/strategy/reports/plan-file.ts'],
  );
  assert.match(readers[0]!.text, /checkWorkbook\(/);
});

test('a date a person enters is the GOV.UK date input: no browser date or time pickers in any template', () => {
  const templates = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const full = path.join(dir, e.name);
      return e.isDirectory() ? templates(full) : full.endsWith('.njk') ? [full] : [];
    });
  const pickers = /type: ?['"](date|time|datetime-local|month|week)['"]|type="(date|time|datetime-local|month|week)"/;
  assert.deepEqual(
    templates('src').filter((file) => pickers.test(fs.readFileSync(file, 'utf8'))),
    [],
  );
});

test('dates go through src/dates.ts: no other module imports date-fns or works out London time by hand', () => {
  assert.deepEqual(
    source.filter((f) => /from '(date-fns|@date-fns\/)/.test(f.text)).map((f) => f.file),
    ['src/dates.ts'],
  );
  const byHand = /getTimezoneOffset|Intl\.DateTimeFormat|Europe\/London|toISOString\(\)\.slice\(0, 10\)|86_?400_?000|3_?600_?000/;
  assert.deepEqual(
    source.filter((f) => f.file !== 'src/dates.ts' && byHand.test(f.text)).map((f) => f.file),
    [],
  );
});
