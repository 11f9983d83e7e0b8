// Runs every test file with Node's test runner (via tsx), against the embedded database or,
// when DATABASE_URL is set, against that PostgreSQL server. For the server, a migrated and
// seeded template database is built once; each test file clones it (see test/helpers/context.ts).
import { spawn, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const filter = process.argv.slice(2);

function findTests(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : findTests(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

let files = [...findTests(path.join(root, 'src')), ...findTests(path.join(root, 'test'))].sort();
if (filter.length > 0) files = files.filter((f) => filter.some((p) => f.includes(p)));

const env = { ...process.env, NODE_ENV: 'test', LANTERN_LOG_LEVEL: process.env.LANTERN_LOG_LEVEL ?? 'silent' };
// One key for the run: the template's TOTP secrets are sealed with it and every test file opens them.
env.LANTERN_SECRETS_KEY ??= crypto.randomBytes(32).toString('base64');
// A migrated, seeded template is built once; each test file clones it (a server database made
// from the template, or a PGlite loaded from the template's dump).
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lantern-test-'));
const started = Date.now();
execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'test/helpers/prepare-template.ts'), work], { stdio: 'inherit', env });
env.LANTERN_TEST_TEMPLATE_INFO = path.join(work, 'template.json');
console.log(
  `tests run on Node.js ${process.version} against ${process.env.DATABASE_URL ? 'the PostgreSQL server' : 'the embedded database (PGlite)'}; template ready in ${Date.now() - started} ms`,
);

// Files whose tests measure time (an upload must not stall /health) declare `// lantern-test: alone`
// in their first lines: they run after the rest, one at a time, so another file's work on the
// same two cores does not decide whether they pass.
const alone = files.filter((f) => fs.readFileSync(f, 'utf8').slice(0, 400).includes('lantern-test: alone'));
const together = files.filter((f) => !alone.includes(f));

function run(list, concurrency) {
  if (list.length === 0) return Promise.resolve(0);
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...list], {
    stdio: 'inherit',
    env,
    cwd: root,
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

const codes = [await run(together, 2), await run(alone, 1)];
fs.rmSync(work, { recursive: true, force: true });
process.exit(codes.find((code) => code !== 0) ?? 0);
