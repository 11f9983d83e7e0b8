// lantern-test: alone (it measures time; scripts/run-tests.mjs runs it after the rest, one file at a time)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { lyingZipBomb, planCsv, planXlsx, zipBomb, zipOf } from '../../test/fixtures/upload-files.ts';
import { neverFinishesParser, whereParsedParser } from '../../test/fixtures/upload-parsers.ts';
import { readAttendanceCsv } from '../features/assurance/attendance-csv.ts';
import { readToolDefinition } from '../features/casework/risk-tool-file.ts';
import { readFrameworkFile } from '../features/strategy/framework-upload.ts';
import { planFileWeight, readPlanFile } from '../features/strategy/reports/plan-file.ts';
import { readCsv } from './csv.ts';
import { attendanceImportLimits, planImportLimits, type UploadResult } from './limits.ts';
import { runUploadParser } from './parse.ts';
import { rangeArea } from './xlsx.ts';
import { readZipDirectory } from './zip.ts';

// The shared upload discipline (src/uploads): caps, zip checks before inflating, and parsing in a
// worker thread with a time limit. The features' own upload tests show it on their pages.

const refusal = (result: UploadResult<unknown>) => (result.ok ? null : result.refusal);
const rss = () => process.memoryUsage().rss;

describe('uploads: zip archives are checked before they are inflated', () => {
  test('a zip bomb (a 300 KB XLSX whose sheet inflates to 300 MB) is refused at once, without inflating it', async () => {
    const bomb = zipBomb(300_000_000);
    assert.ok(bomb.length < 400_000, `${bomb.length} bytes`);
    const before = rss();
    const started = performance.now();
    assert.deepEqual(refusal(planFileWeight(bomb)), { reason: 'inflatesTooMuch', maxBytes: planImportLimits.maxInflatedBytes });
    assert.deepEqual(refusal(await readPlanFile(bomb)), { reason: 'inflatesTooMuch', maxBytes: planImportLimits.maxInflatedBytes });
    assert.ok(performance.now() - started < 200, `${Math.round(performance.now() - started)} ms`);
    assert.ok(rss() - before < 50_000_000, `memory grew by ${Math.round((rss() - before) / 1e6)} MB`);
  });

  test('a part that inflates further than its directory says is stopped at the declared size', async () => {
    const bomb = lyingZipBomb(300_000_000, 100_000);
    assert.ok(readZipDirectory(bomb, planImportLimits).ok, 'the directory alone looks harmless');
    const before = rss();
    assert.deepEqual(refusal(await readPlanFile(bomb)), { reason: 'unreadable' });
    assert.ok(rss() - before < 50_000_000, `memory grew by ${Math.round((rss() - before) / 1e6)} MB`);
  });

  test('a part compressed far more than a spreadsheet can be is refused even under the total', () => {
    const ratio = zipBomb(5_000_000);
    assert.equal(readZipDirectory(ratio, { ...planImportLimits, maxInflatedBytes: 1e9 }).ok, false);
    assert.ok(readZipDirectory(ratio, { ...planImportLimits, maxInflateRatio: 10_000 }).ok);
  });

  test('too many parts are refused', () => {
    const parts = Array.from({ length: 3 }, (_, i) => ({ name: `p${i}.xml`, data: Buffer.from([3, 0]), crc: 0, inflatedBytes: 0 }));
    assert.deepEqual(refusal(readZipDirectory(zipOf(parts), { ...planImportLimits, maxZipEntries: 2 })), { reason: 'tooComplex' });
  });

  test('an exported plan passes, and its inflated size is known before reading', async () => {
    const file = await planXlsx(20);
    const weight = planFileWeight(file);
    assert.ok(weight.ok && weight.value > file.length);
    const rows = await readPlanFile(file);
    assert.ok(rows.ok && rows.value.length === 21);
  });
});

describe('uploads: tables are capped while they are read', () => {
  test('rows, columns and cells over the caps are refused; a file at the caps is read', async () => {
    const limits = planImportLimits;
    assert.equal((await readPlanFile(planCsv(limits.maxRows))).ok, true);
    assert.deepEqual(refusal(await readPlanFile(planCsv(limits.maxRows + 1))), { reason: 'tooManyRows', max: limits.maxRows });
    assert.equal((await readPlanFile(await planXlsx(limits.maxRows))).ok, true);
    assert.deepEqual(refusal(await readPlanFile(await planXlsx(limits.maxRows + 1))), { reason: 'tooManyRows', max: limits.maxRows });
    assert.deepEqual(refusal(readCsv(`${'x,'.repeat(limits.maxColumns)}x`, limits)), { reason: 'tooManyColumns', max: limits.maxColumns });
    const wide = Array.from({ length: 600 }, () => 'a,'.repeat(99) + 'a').join('\n');
    assert.deepEqual(refusal(readCsv(wide, limits)), { reason: 'tooManyCells', max: limits.maxCells });
    assert.deepEqual(refusal(readCsv(`"unclosed${' x'.repeat(60_000)}`, limits)), { reason: 'unreadable' });
    assert.deepEqual(refusal(await readPlanFile(Buffer.alloc(limits.maxFileBytes + 1, 0x41))), { reason: 'tooLarge', maxBytes: limits.maxFileBytes });
  });

  test('50,000 rows are refused after reading just past the cap: quickly', async () => {
    const csv = planCsv(50_000, 2);
    const xlsx = await planXlsx(50_000, 2);
    assert.ok(csv.length < planImportLimits.maxFileBytes && xlsx.length < planImportLimits.maxFileBytes, 'both pass the size cap');
    const started = performance.now();
    assert.deepEqual(refusal(await readPlanFile(csv)), { reason: 'tooManyRows', max: planImportLimits.maxRows });
    assert.deepEqual(refusal(await readPlanFile(xlsx)), { reason: 'tooManyRows', max: planImportLimits.maxRows });
    assert.ok(performance.now() - started < 1500, `${Math.round(performance.now() - started)} ms for both`);
  });

  test('merged and drop-down ranges count as the cells exceljs would make for them', () => {
    assert.equal(rangeArea('A1:B2 D4'), 5);
    assert.equal(rangeArea('$A$1:$XFD$1048576'), 16384 * 1048576);
    assert.equal(rangeArea('A:A'), Number.MAX_SAFE_INTEGER);
  });

  test('an attendance register over its caps is refused', () => {
    const rows = Array.from({ length: attendanceImportLimits.maxRows + 1 }, (_, i) => `Person ${i},Fenland Valley Police`);
    assert.deepEqual(refusal(readAttendanceCsv(['name,agency', ...rows].join('\n'))), { reason: 'tooManyRows', max: attendanceImportLimits.maxRows });
    assert.equal(readAttendanceCsv(['name,agency', ...rows.slice(1)].join('\n')).ok, true);
  });
});

describe('uploads: parsing in a worker thread', () => {
  test('a large input is parsed in a worker thread, a small one in this thread', async () => {
    const small = await runUploadParser(whereParsedParser, 'small', 10);
    assert.ok(small.ok && small.value.isMainThread);
    const large = await runUploadParser(whereParsedParser, 'large', 1_000_000);
    assert.ok(large.ok && !large.value.isMainThread && large.value.input === 'large', JSON.stringify(large));
  });

  test('a parser that runs past the time limit is stopped and the file refused; the next upload still works', async () => {
    const started = performance.now();
    assert.deepEqual(refusal(await runUploadParser(neverFinishesParser, 'x', 1_000_000, { timeLimitMs: 300 })), { reason: 'tooSlow' });
    const next = await runUploadParser(whereParsedParser, 'after', 1_000_000);
    assert.ok(next.ok && !next.value.isMainThread);
    assert.ok(performance.now() - started < 30_000);
  });

  test('uploads at once wait their turn for a worker and all get their answer', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => runUploadParser(whereParsedParser, `upload ${i}`, 1_000_000)));
    assert.deepEqual(
      results.map((r) => r.ok && r.value.input),
      ['upload 0', 'upload 1', 'upload 2', 'upload 3', 'upload 4'],
    );
  });

  test('the worker starts in a process that registers tsx as bin/lantern.mjs does (npm start), not by --import', () => {
    const child = new URL('../../test/fixtures/upload-worker-child.ts', import.meta.url).href;
    const script = `import { register } from 'tsx/esm/api'; register(); await import(${JSON.stringify(child)});`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('../..', import.meta.url),
      encoding: 'utf8',
      timeout: 120_000,
    });
    const result = JSON.parse(out) as UploadResult<{ isMainThread: boolean; input: string }>;
    assert.ok(result.ok && !result.value.isMainThread && result.value.input === 'from the child', out);
  });
});

describe('uploads: property tests, every parser is total on random bytes', () => {
  const bytes = fc.uint8Array({ maxLength: 4000 });
  const zipLike = fc.uint8Array({ maxLength: 4000 }).map((b) => Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), b]));

  test('the plan reader (XLSX and CSV) answers rows or a refusal, never throws', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(bytes, zipLike), async (content) => {
        const result = await readPlanFile(content);
        assert.ok(result.ok ? Array.isArray(result.value) : typeof result.refusal.reason === 'string');
        planFileWeight(content);
      }),
      { numRuns: 300 },
    );
  });

  test('the zip checks never throw on a real XLSX with bytes changed at random', async () => {
    const file = await planXlsx(30);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: file.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        async (changes) => {
          const changed = Buffer.from(file);
          for (const [at, value] of changes) changed[at] = value;
          const result = await readPlanFile(changed);
          assert.ok(result.ok || typeof result.refusal.reason === 'string');
        },
      ),
      { numRuns: 200 },
    );
  });

  test('the CSV, attendance, risk tool and framework readers never throw on random text', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 2000 }),
      bytes.map((b) => Buffer.from(b).toString('utf8')),
      fc.json(),
    );
    fc.assert(
      fc.property(text, (input) => {
        for (const result of [readCsv(input, planImportLimits), readAttendanceCsv(input), readToolDefinition(input), readFrameworkFile(input)]) {
          assert.ok(result.ok || typeof result.refusal.reason === 'string');
        }
      }),
      { numRuns: 500 },
    );
  });
});
