import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);
const lantern = (...args: string[]) => run(process.execPath, [path.join(root, 'bin/lantern.mjs'), ...args], { cwd: root });

test('lantern match links FEBRL4 into a pairs file with a header, strongest pairs first', async () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lantern-match-')), 'pairs.csv');
  try {
    const { stdout } = await lantern(
      'match',
      '--settings',
      'examples/linkage/febrl.json',
      'test/fixtures/febrl/dataset4a.csv',
      'test/fixtures/febrl/dataset4b.csv',
      '--out',
      out,
    );
    assert.match(stdout, /^5000 records linked to 5000: 142837 candidate pairs, 5000 at or above the threshold written to /);
    const lines = fs.readFileSync(out, 'utf8').trimEnd().split('\n');
    assert.equal(lines[0], 'left_id,right_id,match_probability,match_weight');
    assert.equal(lines.length, 1 + 5000);
    const [leftId, rightId, probability, weight] = lines[1]!.split(',');
    assert.equal(leftId!.replace(/-org$/, ''), rightId!.replace(/-dup-0$/, ''));
    assert.equal(Number(probability), 1);
    assert.ok(Number(weight) > 50);
    assert.ok(lines.slice(1).every((l) => Number(l.split(',')[2]) >= 0.5));
  } finally {
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  }
});

test('lantern match deduplicates one file, each pair once', async () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lantern-match-')), 'pairs.csv');
  try {
    await lantern('match', '--settings', 'examples/linkage/febrl.json', 'test/fixtures/febrl/dataset1.csv', '--out', out);
    const pairs = fs
      .readFileSync(out, 'utf8')
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').slice(0, 2));
    assert.equal(pairs.length, 500);
    const unordered = new Set(pairs.map((p) => [...p].sort().join('|')));
    assert.equal(unordered.size, 500);
    assert.ok(pairs.every(([a, b]) => a !== b));
  } finally {
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  }
});

test('lantern match refuses settings that are not valid, in one line, with exit code 2', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lantern-match-'));
  try {
    fs.writeFileSync(
      path.join(dir, 'settings.json'),
      JSON.stringify({ idColumn: 'rec_id', comparisons: [{ column: 'surname', kind: 'soundex' }], blocking: [] }),
    );
    await assert.rejects(
      lantern('match', '--settings', path.join(dir, 'settings.json'), 'test/fixtures/febrl/dataset1.csv', '--out', path.join(dir, 'p.csv')),
      (error: { code: number; stderr: string }) => {
        assert.equal(error.code, 2);
        assert.match(error.stderr, /^the settings .* are not valid: comparisons\.0\.kind: .*; blocking: .*\n$/);
        return true;
      },
    );
    assert.equal(fs.existsSync(path.join(dir, 'p.csv')), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('lantern match refuses oneToOne with one file (deduplication), in one line, with exit code 2', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lantern-match-'));
  try {
    const settings = JSON.parse(fs.readFileSync(path.join(root, 'examples/linkage/febrl.json'), 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ ...settings, oneToOne: true }));
    await assert.rejects(
      lantern('match', '--settings', path.join(dir, 'settings.json'), 'test/fixtures/febrl/dataset1.csv', '--out', path.join(dir, 'p.csv')),
      (error: { code: number; stderr: string }) => {
        assert.equal(error.code, 2);
        assert.match(error.stderr, /oneToOne is for linking two files, not for deduplicating one\n$/);
        return true;
      },
    );
    assert.equal(fs.existsSync(path.join(dir, 'p.csv')), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
