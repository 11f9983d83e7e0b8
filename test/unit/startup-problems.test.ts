import assert from 'node:assert/strict';
import { test } from 'node:test';
import { databaseStartupProblem } from '../../src/cli/startup-problems.ts';
import { loadConfig } from '../../src/config/config.ts';
import { StartupError } from '../../src/errors.ts';

const server = loadConfig({ DATABASE_URL: 'postgres://lantern:synthetic-secret@db.internal:6432/lantern%20live' });
const failure = (code: string) => Object.assign(new Error(code), { code });

test('a database Lantern cannot reach or use at start is one line naming host, port and cause, never the password', () => {
  assert.equal(databaseStartupProblem(failure('ECONNREFUSED'), server), 'Lantern cannot start: the database at db.internal:6432 is unreachable (ECONNREFUSED)');
  assert.equal(
    databaseStartupProblem(failure('ENOTFOUND'), loadConfig({ DATABASE_URL: 'postgres://db.internal/lantern' })),
    'Lantern cannot start: the database at db.internal:5432 is unreachable (ENOTFOUND)',
  );
  assert.equal(databaseStartupProblem(failure('28P01'), server), 'Lantern cannot start: the database at db.internal:6432 refused the login (28P01)');
  assert.equal(databaseStartupProblem(failure('3D000'), server), 'Lantern cannot start: there is no database "lantern live" at db.internal:6432 (3D000)');
  const aggregate = Object.assign(new AggregateError([failure('ECONNREFUSED'), failure('ECONNREFUSED')]), {});
  assert.match(databaseStartupProblem(aggregate, server) ?? '', /unreachable \(ECONNREFUSED\)$/);
});

test('any other error is not explained away: it keeps its stack', () => {
  assert.equal(databaseStartupProblem(failure('42P01'), server), undefined);
  assert.equal(databaseStartupProblem(new TypeError('a bug'), server), undefined);
  assert.equal(databaseStartupProblem(failure('ECONNREFUSED'), loadConfig({})), undefined, 'the embedded database has no network');
});

test('a start-up refusal of Lantern’s own is one line with its stable code, on either database', () => {
  const changed = new StartupError('LANTERN_E_MIGRATION_CHANGED', 'migration 0150_casework has changed since it was applied to this database');
  for (const config of [server, loadConfig({})]) {
    assert.equal(
      databaseStartupProblem(changed, config),
      'Lantern cannot start: migration 0150_casework has changed since it was applied to this database (LANTERN_E_MIGRATION_CHANGED)',
    );
  }
});
