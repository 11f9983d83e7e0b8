import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { apiScopes } from '../../src/authz/policy.ts';
import { publishedSolveCount } from '../../src/features/profile/published.ts';
import { apiTokens } from '../helpers/api-tokens.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signIn, type Agent } from '../helpers/http.ts';

/**
 * The problem profile as published (issue 13 §2 "who sees what", §3): a councillor (board member) sees,
 * downloads (CSV, XLSX) and reads through the API only figures after the partnership's disclosure
 * control: no count from 1 to the threshold anywhere; secondary suppression where a Total would give a
 * withheld cell away; an analyst's unsuppressed download is marked not for publication and audited;
 * a board member asking for the unsuppressed figures gets the published ones; repeated views are
 * answered from the memo. The demo partnership's figures for the whole of the demo's last year.
 */
let ctx: TestContext;
const agents: Record<string, Agent> = {};
let tokens: ReturnType<typeof apiTokens>;
// The partnership's own threshold (a setting, migration 0400): high enough that the demo's figures need complements.
const threshold = 10;
const period = 'R12-2026-Q3';

type Row = Record<'measure' | 'breakdown' | 'category' | 'period' | 'area' | 'value', string>;
const header = ['measure', 'breakdown', 'category', 'period', 'area', 'value'];

before(async () => {
  ctx = await createTestContext();
  tokens = apiTokens(ctx);
  await ctx.ownerQuery(`UPDATE partnerships SET disclosure_threshold = $1 WHERE name LIKE 'Northmere%'`, [threshold]);
  // Thirty concerns from professionals and two from taxi drivers in the period: a small count in a
  // breakdown whose Total is large, which the Total less the other sources would give away without a complement.
  await ctx.ownerQuery(
    `INSERT INTO concerns (partnership_id, reference, source, received_at, deadline_at, what_happened)
     SELECT p.id, 'PUBLISHED-P' || n, 'professional', '2026-05-01T10:00:00Z'::timestamptz + n * interval '1 day', '2026-05-02T10:00:00Z'::timestamptz + n * interval '1 day', 'PUBLISHED-TEST concern'
       FROM partnerships p, generate_series(1, 30) n WHERE p.name LIKE 'Northmere%'`,
  );
  for (const n of [1, 2])
    await ctx.ownerQuery(
      `INSERT INTO concerns (partnership_id, reference, source, reporter_kind, received_at, deadline_at, what_happened)
       SELECT id, $1, 'public', 'taxi_driver', '2026-06-0${n}T10:00:00Z'::timestamptz, '2026-06-0${n}T10:00:00Z'::timestamptz + interval '24 hours', 'PUBLISHED-TEST concern'
         FROM partnerships WHERE name LIKE 'Northmere%'`,
      [`PUBLISHED-Q${n}`],
    );
  for (const key of ['analyst', 'councillor']) agents[key] = await signIn(ctx.app, ctx.clock, ctx.account(`${key}.northmere@lantern.example`));
});
after(async () => ctx.close());

/** A published value is a count of 0 or above the threshold, the symbol, or z. */
function assertPublishable(value: string, where: string) {
  if (value === 'c' || value === 'z') return;
  assert.match(value, /^\d+$/, `${where}: ${value}`);
  const n = Number(value);
  assert.ok(n === 0 || n > threshold, `${where}: ${value} is a small count`);
}

function readCsv(body: string): Row[] {
  const records: string[][] = parse(body);
  assert.deepEqual(records[0], header);
  return records.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]!])) as Row);
}

const groupKey = (r: Row) => JSON.stringify([r.measure, r.breakdown, r.period, r.area]);

/** The numeric cells of the page's figure tables (not the rates or populations). */
function pageFigures(html: string): string[] {
  const values: string[] = [];
  const tables = html.match(/<table class="govuk-table" (?:data-measure|data-trend|id="themes-table")[\s\S]*?<\/table>/g) ?? [];
  for (const table of tables)
    for (const m of table.matchAll(/<td class="govuk-table__cell govuk-table__cell--numeric"[^>]*>([\s\S]*?)<\/td>/g))
      values.push(m[1]!.replace(/<[^>]+>/g, '').trim());
  const comparison = /<table class="govuk-table" id="comparison-table">[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
  for (const m of comparison.matchAll(/<td class="govuk-table__cell govuk-table__cell--numeric" data-measure="[^"]+">([\s\S]*?)<\/td>/g))
    values.push(m[1]!.trim());
  return values.map((v) => v.replace(/,/g, ''));
}

describe('the problem profile as published', () => {
  let boardRows: Row[] = [];

  test('a councillor’s page shows only controlled figures, with the note on the symbols and no “Not for publication”', async () => {
    const page = await agents.councillor!.get(`/profile?period=${period}`);
    assert.equal(page.statusCode, 200, page.body.slice(0, 300));
    assert.doesNotMatch(page.body, /Not for publication/);
    assert.match(page.body, /id="disclosure-note"/);
    assert.match(page.body, /c means the figure is withheld: it is from 1 to 10/);
    assert.match(page.body, /href="\/profile\/figures\.csv\?period=R12-2026-Q3&amp;area=partnership"/);
    assert.doesNotMatch(page.body, /name="view"/, 'no choice of unsuppressed figures');
    const figures = pageFigures(page.body);
    assert.ok(figures.length > 100, String(figures.length));
    for (const v of figures) assertPublishable(v, 'page');
    assert.ok(figures.includes('c'), 'something is withheld');
    // The unsuppressed view is not reached by asking for it.
    const asked = await agents.councillor!.get(`/profile?period=${period}&view=unsuppressed`);
    assert.equal(asked.statusCode, 200);
    assert.doesNotMatch(asked.body, /Not for publication/);
    for (const v of pageFigures(asked.body)) assertPublishable(v, 'page asked for unsuppressed');
  });

  test('a locality’s published page and CSV: controlled too', async () => {
    const [locality] = await ctx.ownerQuery<{ id: string }>(
      `SELECT l.id FROM localities l JOIN partnerships p ON p.id = l.partnership_id WHERE p.name LIKE 'Northmere%' ORDER BY l.name LIMIT 1`,
    );
    const page = await agents.councillor!.get(`/profile?period=${period}&area=${locality!.id}`);
    assert.equal(page.statusCode, 200);
    for (const v of pageFigures(page.body)) assertPublishable(v, 'locality page');
    const rows = readCsv((await agents.councillor!.get(`/profile/figures.csv?period=${period}&area=${locality!.id}`)).body);
    assert.ok(rows.some((r) => r.area === locality!.id));
    for (const r of rows) assertPublishable(r.value, `locality ${r.measure} ${r.breakdown} ${r.category}`);
  });

  test('a repeated view is answered from the memo, not solved again', async () => {
    const before = publishedSolveCount();
    assert.equal((await agents.councillor!.get(`/profile?period=${period}`)).statusCode, 200);
    assert.equal(publishedSolveCount(), before);
  });

  test('the councillor’s CSV: the exact header, every value publishable, a Total in every group; audited as a published export', async () => {
    const csv = await agents.councillor!.get(`/profile/figures.csv?period=${period}&view=unsuppressed`);
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    assert.match(String(csv.headers['content-disposition']), /problem-profile-R12-2026-Q3-partnership\.csv/);
    assert.doesNotMatch(String(csv.headers['content-disposition']), /not-for-publication/);
    assert.equal(csv.body.split('\r\n')[0], header.join(','));
    boardRows = readCsv(csv.body);
    assert.ok(boardRows.length > 200);
    const groups = new Map<string, Row[]>();
    for (const r of boardRows) {
      assertPublishable(r.value, `${r.measure} ${r.breakdown} ${r.category} ${r.area}`);
      groups.set(groupKey(r), [...(groups.get(groupKey(r)) ?? []), r]);
    }
    for (const [key, rows] of groups) assert.equal(rows.filter((r) => r.category === 'Total').length, 1, key);
    const audit = await ctx.ownerQuery<{ details: Record<string, unknown> }>(
      `SELECT details FROM audit_events WHERE action = 'export' AND record_type = 'problem_profile' ORDER BY seq DESC LIMIT 1`,
    );
    assert.equal(audit[0]!.details.unsuppressed, false);
  });

  test('secondary suppression: no group has a single withheld cell beside a published Total, and some larger counts are withheld', async () => {
    const groups = new Map<string, Row[]>();
    for (const r of boardRows) groups.set(groupKey(r), [...(groups.get(groupKey(r)) ?? []), r]);
    for (const [key, rows] of groups) {
      // Themes overlap (their Total is z); a group of its Total alone (the trend, the area comparison) has nothing to difference.
      if (rows[0]!.measure === 'themes' || rows.length === 1) continue;
      const withheld = rows.filter((r) => r.value === 'c');
      // One withheld cell with every other figure of its group published would be the Total less the rest.
      assert.notEqual(withheld.length, 1, key);
    }
    // The analyst's unsuppressed figures show that withheld cells include counts above the threshold (complements).
    const raw = readCsv((await agents.analyst!.get(`/profile/figures.csv?period=${period}`)).body);
    const rawValue = new Map(raw.map((r) => [JSON.stringify([r.measure, r.breakdown, r.category, r.period, r.area]), r.value]));
    const complements = boardRows.filter(
      (r) => r.value === 'c' && Number(rawValue.get(JSON.stringify([r.measure, r.breakdown, r.category, r.period, r.area]))) > threshold,
    );
    assert.ok(complements.length > 0, 'some cells above the threshold are withheld as complements');
    const taxi = boardRows.filter((r) => r.measure === 'concerns' && r.breakdown === 'source' && r.area === 'partnership');
    assert.equal(taxi.find((r) => r.category === 'public_taxi_driver')!.value, 'c');
    assert.ok(taxi.filter((r) => r.value === 'c').length >= 2, 'the taxi drivers’ concerns have a complement');
    // Every withheld cell is a small count or a complement; nothing small is published.
    for (const r of boardRows) {
      const v = rawValue.get(JSON.stringify([r.measure, r.breakdown, r.category, r.period, r.area]));
      assert.ok(v !== undefined, 'the same cells');
      if (/^\d+$/.test(r.value)) assert.equal(r.value, v);
    }
  });

  test('the analyst’s unsuppressed CSV is marked not for publication and audited; the preview is controlled', async () => {
    const csv = await agents.analyst!.get(`/profile/figures.csv?period=${period}`);
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-disposition']), /not-for-publication\.csv/);
    const rows = readCsv(csv.body);
    assert.ok(
      rows.some((r) => Number(r.value) >= 1 && Number(r.value) <= threshold),
      'unsuppressed: small counts shown',
    );
    const audit = await ctx.ownerQuery<{ details: Record<string, unknown>; actor: string | null }>(
      `SELECT details FROM audit_events WHERE action = 'export' AND record_type = 'problem_profile' AND (details->>'unsuppressed')::boolean ORDER BY seq DESC LIMIT 1`,
    );
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.details.format, 'csv');
    const preview = await agents.analyst!.get(`/profile?period=${period}&view=published`);
    assert.equal(preview.statusCode, 200);
    assert.doesNotMatch(preview.body, /Not for publication\./);
    assert.match(preview.body, /id="profile-previewing"/);
    for (const v of pageFigures(preview.body)) assertPublishable(v, 'preview');
    const unsuppressed = await agents.analyst!.get(`/profile?period=${period}`);
    assert.match(unsuppressed.body, /Not for publication\./);
    const publishedCsv = readCsv((await agents.analyst!.get(`/profile/figures.csv?period=${period}&view=published`)).body);
    assert.deepEqual(publishedCsv, boardRows);
  });

  test('the XLSX: the same rows on one sheet and a Notes sheet', async () => {
    const file = await agents.councillor!.get(`/profile/figures.xlsx?period=${period}`);
    assert.equal(file.statusCode, 200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(file.rawPayload as unknown as ArrayBuffer);
    const figures = book.getWorksheet('Figures')!;
    const rows: string[][] = [];
    figures.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => String(v))));
    assert.deepEqual(rows[0], header);
    assert.deepEqual(
      rows.slice(1),
      boardRows.map((r) => header.map((h) => r[h as keyof Row])),
    );
    const notes: string[] = [];
    book.getWorksheet('Notes')!.eachRow((row) => notes.push((row.values as unknown[]).slice(1).join(' | ')));
    const text = notes.join('\n');
    assert.match(text, /Threshold \| 10/);
    assert.match(text, /c means withheld/);
    assert.match(text, /z means not applicable/);
    assert.match(text, /Period \| .*R12-2026-Q3/);
    assert.match(text, /Source \| Lantern/);
    assert.doesNotMatch(text, /NOT FOR PUBLICATION/);
  });

  test('the API: a board member’s token gets controlled figures only; an analyst’s unsuppressed; the scope is required', async () => {
    // Tokens are issued only with casework roles today (children/schema.ts apiTokenRoles): a board
    // dashboard's token is made here as the database would hold one, an approved token of the board role.
    const boardToken = async (name: string, scopes?: readonly string[]) => {
      const made = await tokens.createToken(name, 'analyst', ['analyst'], scopes ? { scopes } : {});
      await ctx.ownerQuery(`UPDATE api_tokens SET roles = ARRAY['board_member'] WHERE id = $1`, [made.id]);
      return made;
    };
    const board = await boardToken('Board dashboard');
    const analyst = await tokens.createToken('Analyst profile', 'analyst', ['analyst']);
    const published = await tokens.call('GET', `/api/v1/profile?period=${period}&view=unsuppressed`, board.token);
    assert.equal(published.statusCode, 200, published.body.slice(0, 300));
    const body = published.json<{ published: boolean; threshold: number; symbol: string; cells: { value: number | string }[] }>();
    assert.equal(body.published, true);
    assert.equal(body.symbol, 'c');
    for (const c of body.cells) assertPublishable(String(c.value), 'api');
    assert.equal(body.cells.length, boardRows.length);
    const raw = (await tokens.call('GET', `/api/v1/profile?period=${period}`, analyst.token)).json<{
      published: boolean;
      cells: { value: number | string }[];
    }>();
    assert.equal(raw.published, false);
    assert.ok(raw.cells.some((c) => typeof c.value === 'number' && c.value >= 1 && c.value <= threshold));
    assert.equal((await tokens.call('GET', '/api/v1/profile?period=2026-Q5', board.token)).statusCode, 400);
    const narrow = await boardToken(
      'Board without profile',
      apiScopes.filter((s) => s !== 'profile:read'),
    );
    assert.equal((await tokens.call('GET', '/api/v1/profile', narrow.token)).statusCode, 403);
  });
});
