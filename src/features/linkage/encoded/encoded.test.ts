import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ClkKeys, createEncoder, dice, popcount, tokens } from './clk.ts';
import { MatchInputError } from '../files.ts';
import { readEncodedSettings, readKeyFile } from './files.ts';

/**
 * The privacy-preserving path (docs/LINKAGE.md, "Across partnerships without revealing identities"):
 * keyed Bloom filter encodings, `lantern encode` and `lantern match --encoded`.
 */
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const run = promisify(execFile);
const lantern = (...args: string[]) => run(process.execPath, [path.join(root, 'bin/lantern.mjs'), ...args], { cwd: root, maxBuffer: 1 << 20 });
const settingsFile = path.join(root, 'examples/linkage/febrl-encoded.json');
const settings = readEncodedSettings(settingsFile);
const fixture = (name: string) => path.join(root, 'test/fixtures/febrl', name);

/** A record of FEBRL's layout, cells trimmed (the fixtures put a space after each comma; no field has a comma). */
function febrlRows(name: string): Record<string, string | null>[] {
  const [header, ...lines] = fs.readFileSync(fixture(name), 'utf8').trimEnd().split('\n');
  const columns = header!.split(',').map((c) => c.trim());
  return lines.map((line) => Object.fromEntries(line.split(',').map((cell, k) => [columns[k]!, cell.trim() === '' ? null : cell.trim()])));
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'lantern-encoded-'));
}

test('q-grams are padded; dates are their year, month and day', () => {
  assert.deepEqual(tokens('name', 'Ann-Marie', 2), ['_a', 'an', 'nn', 'nm', 'ma', 'ar', 'ri', 'ie', 'e_']);
  assert.deepEqual(tokens('text', 'a st', 2), ['_a', 'a ', ' s', 'st', 't_']);
  assert.deepEqual(tokens('date', '1915-11-03', 2), ['y1915', 'm11', 'd03']);
  assert.deepEqual(tokens('exact', ' NSW ', 2), ['nsw']);
  assert.deepEqual(tokens('name', '  ', 2), []);
});

test('a key shorter than 32 bytes is refused, and a key never shows in JSON', () => {
  assert.throws(() => new ClkKeys(Buffer.alloc(31, 1)), RangeError);
  const secret = randomBytes(32);
  assert.equal(JSON.stringify({ keys: new ClkKeys(secret) }), '{"keys":"[secret]"}');
});

test('the encoding section may stand alone or sit in the plain settings; plain settings without one are refused', () => {
  const dir = tempDir();
  try {
    const plain = JSON.parse(fs.readFileSync(path.join(root, 'examples/linkage/febrl.json'), 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(path.join(dir, 'both.json'), JSON.stringify({ ...plain, encoding: settings.encoding }));
    assert.deepEqual(readEncodedSettings(path.join(dir, 'both.json')), settings);
    assert.throws(() => readEncodedSettings(path.join(root, 'examples/linkage/febrl.json')), /have no encoding section/);
    fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ idColumn: 'rec_id', encoding: { ...settings.encoding, bits: 1000, extra: 1 } }));
    assert.throws(
      () => readEncodedSettings(path.join(dir, 'bad.json')),
      /encoding\.bits: a multiple of 32; encoding: Unrecognized key: "extra"|encoding: Unrecognized key/,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('balanced encodings have exactly half their bits set; the same record under the same key is identical', () => {
  const encoder = createEncoder(new ClkKeys(randomBytes(32)), settings.encoding);
  const rows = febrlRows('dataset4a.csv').slice(0, 200);
  for (const row of rows) {
    const bytes = encoder.encode(row);
    assert.equal(bytes.length * 8, 2 * settings.encoding.bits);
    assert.equal(
      bytes.reduce((n, b) => n + popcount(b), 0),
      settings.encoding.bits,
    );
    assert.deepEqual(encoder.encode({ ...row }), bytes);
  }
});

test('two different keys give encodings that do not match: the same record scores as two strangers', () => {
  const one = createEncoder(new ClkKeys(randomBytes(32)), settings.encoding);
  const two = createEncoder(new ClkKeys(randomBytes(32)), settings.encoding);
  assert.notEqual(one.check, two.check);
  const rows = febrlRows('dataset4a.csv').slice(0, 200);
  const sameRecord = rows.map((r) => dice(one.encode(r), two.encode(r)));
  const strangers = rows.map((r, i) => dice(one.encode(r), one.encode(rows[(i + 1) % rows.length]!)));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  // Every one far below the midpoint at which a pair is a match, and on average no closer than two different people.
  assert.ok(Math.max(...sameRecord) < settings.encoding.dice.midpoint - 0.1, `highest ${Math.max(...sameRecord)}`);
  assert.ok(mean(sameRecord) <= mean(strangers) + 0.02, `mean ${mean(sameRecord)} against ${mean(strangers)}`);
});

test('lantern encode refuses a short, empty or missing key file with exit code 2, without printing the key', async () => {
  const dir = tempDir();
  try {
    const short = path.join(dir, 'short.key');
    const secret = 'sixteen-letters!sixteen-letters';
    fs.writeFileSync(short, `${secret}\n`); // 31 bytes and a newline
    fs.writeFileSync(path.join(dir, 'empty.key'), '');
    for (const key of [path.join(dir, 'empty.key'), path.join(dir, 'absent.key'), dir]) assert.throws(() => readKeyFile(key), MatchInputError);
    // One through the command line (each start of it takes seconds on a loaded machine).
    for (const key of [short]) {
      await assert.rejects(
        lantern('encode', '--settings', settingsFile, '--key-file', key, fixture('dataset1.csv'), '--out', path.join(dir, 'out.csv')),
        (error: { code: number; stderr: string; stdout: string }) => {
          assert.equal(error.code, 2);
          assert.match(error.stderr, /^(the key file .* is too short: a key needs at least 32 bytes of secret|cannot read the key file .*)\n$/);
          assert.ok(!error.stderr.includes(secret) && !error.stdout.includes(secret));
          return true;
        },
      );
    }
    assert.equal(fs.existsSync(path.join(dir, 'out.csv')), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('FEBRL4 encoded and linked without plaintext: F1 ≥ 0.95; the encoded files hold no plaintext; other keys are refused', async (t) => {
  const dir = tempDir();
  try {
    const key = path.join(dir, 'shared.key');
    const secret = randomBytes(48).toString('base64');
    fs.writeFileSync(key, `${secret}\n`);
    const [a, b, pairs] = ['4a.csv', '4b.csv', 'pairs.csv'].map((f) => path.join(dir, f)) as [string, string, string];
    let started = performance.now();
    for (const [input, out] of [
      ['dataset4a.csv', a],
      ['dataset4b.csv', b],
    ] as const) {
      const { stdout, stderr } = await lantern('encode', '--settings', settingsFile, '--key-file', key, fixture(input), '--out', out);
      assert.match(stdout, /^5000 records encoded \(2048 bits each\) to /);
      assert.ok(!stdout.includes(secret) && !stderr.includes(secret));
    }
    const encodeSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const { stdout } = await lantern('match', '--encoded', '--settings', settingsFile, a, b, '--out', pairs);
    const matchSeconds = (performance.now() - started) / 1000;
    assert.match(stdout, /^5000 encoded records linked to 5000: \d+ candidate pairs, \d+ at or above the threshold written to /);

    // Accuracy against the truth in the ids (rec-N-org ↔ rec-N-dup-0).
    const lines = fs.readFileSync(pairs, 'utf8').trimEnd().split('\n');
    assert.equal(lines[0], 'left_id,right_id,match_probability,match_weight,dice');
    const found = lines.slice(1).map((l) => l.split(','));
    assert.ok(found.every(([, , p]) => Number(p) >= settings.threshold));
    const person = (id: string) => /^rec-(\d+)-/.exec(id)![1];
    const truePositives = found.filter(([l, r]) => person(l!) === person(r!)).length;
    const precision = truePositives / found.length;
    const recall = truePositives / 5000;
    const f1 = (2 * precision * recall) / (precision + recall);
    t.diagnostic(
      `FEBRL4 encoded: ${stdout.trim()}; ${found.length} pairs, ${truePositives} true of 5000; precision ${precision.toFixed(4)}, ` +
        `recall ${recall.toFixed(4)}, F1 ${f1.toFixed(4)}; encoding both files ${encodeSeconds.toFixed(1)} s, matching ${matchSeconds.toFixed(1)} s (whole commands)`,
    );
    assert.ok(f1 >= 0.95, `F1 ${f1}`);

    // No plaintext: the file is a header, then an id and a base64 filter of the right length per row.
    const original = febrlRows('dataset4a.csv');
    const text = fs.readFileSync(a, 'utf8');
    const rows = text.trimEnd().split('\n');
    const header = /^rec_id,encoding:clk1:2048:([A-Za-z0-9_-]{16})$/.exec(rows[0]!);
    assert.ok(header, rows[0]);
    assert.equal(
      header[1],
      createEncoder(new ClkKeys(Buffer.from(secret)), settings.encoding).check,
      'the header’s check depends on the key and settings only',
    );
    assert.equal(rows.length, 1 + original.length);
    const values = (row: Record<string, string | null>) =>
      Object.entries(row)
        .filter(([column, value]) => column !== 'rec_id' && value !== null && value.length >= 3)
        .map(([, value]) => value!.toLowerCase());
    rows.slice(1).forEach((line, i) => {
      const [id, encoding, ...rest] = line.split(',');
      assert.equal(id, original[i]!.rec_id);
      assert.deepEqual(rest, []);
      assert.match(encoding!, /^[A-Za-z0-9+/]+={0,2}$/);
      assert.equal(Buffer.from(encoding!, 'base64').length, 256);
      // A base64 string of 344 characters holds some 3-letter string by chance (one in 260,000 per position), so
      // inside the encoding the row's own values are checked from 5 characters (one in 10⁹), and as bytes from 4.
      const bytes = Buffer.from(encoding!, 'base64').toString('latin1').toLowerCase();
      for (const value of values(original[i]!)) {
        if (value.length >= 5) assert.ok(!encoding!.toLowerCase().includes(value), `row ${i + 2} holds ${value}`);
        if (value.length >= 4) assert.ok(!bytes.includes(value), `row ${i + 2} holds ${value} as bytes`);
      }
    });
    // So outside the ids there is nothing but the header, whose every character is checked by the pattern above.
    // The key, as written and as bytes, is nowhere.
    assert.ok(!text.includes(secret));
    assert.ok(!Buffer.from(text).includes(Buffer.from(secret)));

    // Encoded under another key: refused, not matched.
    const otherKey = path.join(dir, 'other.key');
    fs.writeFileSync(otherKey, randomBytes(32));
    const c = path.join(dir, '4b-other.csv');
    await lantern('encode', '--settings', settingsFile, '--key-file', otherKey, fixture('dataset4b.csv'), '--out', c);
    await assert.rejects(
      lantern('match', '--encoded', '--settings', settingsFile, a, c, '--out', path.join(dir, 'no.csv')),
      (error: { code: number; stderr: string }) => {
        assert.equal(error.code, 2);
        assert.match(error.stderr, /were encoded with different keys or encoding settings\n$/);
        return true;
      },
    );
    // A plaintext file is not an encoded file.
    await assert.rejects(
      lantern('match', '--encoded', '--settings', settingsFile, fixture('dataset4a.csv'), b, '--out', path.join(dir, 'no.csv')),
      (error: { code: number; stderr: string }) => error.code === 2 && /is not an encoded file/.test(error.stderr),
    );
    assert.equal(fs.existsSync(path.join(dir, 'no.csv')), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
