import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import type { SessionUser } from '../../src/auth/service.ts';
import { withTrustedActor } from '../../src/db/context.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';

/**
 * Near-duplicate search scored in SQL (src/features/children/search.ts, migration 0118): which
 * records it finds, in what order, and the name-key vocabulary it finds misspellings in.
 */
let ctx: TestContext;
let northmere: string;
let westbrook: string;
let triage: SessionUser;

/** Synthetic children of northmere's children's services, with made-up names no seed uses. */
const people = [
  { ref: 'SR-EXACT', given: 'Orla', family: 'Pennifold', dob: '2012-05-01' },
  { ref: 'SR-TYPO', given: 'Orla', family: 'Penifold', dob: '2011-01-01' },
  { ref: 'SR-SWAP', given: 'Orla', family: 'Pennifodl', dob: '2010-01-01' },
  { ref: 'SR-SAMEDOB', given: 'Tobias', family: 'Pennifold', dob: '2012-05-01' },
  { ref: 'SR-OTHER', given: 'Orla', family: 'Marchbanks', dob: '2009-09-09' },
  { ref: 'SR-ALIAS', given: 'Jade', family: 'Ashworth', dob: '2013-02-02', aliases: ['Orla Pennifold'] },
  { ref: 'SR-LONG', given: 'Wilhelmina', family: 'Quorrington-Vale', dob: '2014-04-04' },
  { ref: 'SR-SHORT', given: 'Ivo', family: 'Dacre', dob: '2015-05-05' },
];

before(async () => {
  ctx = await createTestContext();
  const partnership = async (code: string) => (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = $1`, [code]))[0]!.id;
  northmere = await partnership('northmere');
  westbrook = await partnership('westbrook');
  for (const p of people) {
    await ctx.ownerQuery(
      `INSERT INTO children (partnership_id, owning_agency_id, reference, given_name, family_name, date_of_birth, aliases)
      VALUES ($1, (SELECT id FROM agencies WHERE partnership_id = $1 AND kind = 'childrens_services'), $2, $3, $4, $5, $6)`,
      [northmere, p.ref, p.given, p.family, p.dob, p.aliases ?? []],
    );
  }
  triage = await ctx.sessionUser('triage.northmere@lantern.example');
});
after(async () => ctx.close());

const search = async (criteria: { name?: string; dateOfBirth?: string }) =>
  (
    await ctx.services.children.records.search(triage, {
      name: criteria.name ?? null,
      dateOfBirth: criteria.dateOfBirth ?? null,
      postcode: null,
      includeClosed: false,
    })
  ).matches
    .filter((m) => m.reference.startsWith('SR-'))
    .map((m) => `${m.reference}:${m.strength}`);

/** Levenshtein distance, the plain way: the oracle for the SQL functions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    previous = current;
  }
  return previous[b.length]!;
}

describe('search ranking', () => {
  test('exact names first, then one edit, then a transposition; all possible without a date of birth', async () => {
    assert.deepEqual(await search({ name: 'Orla Pennifold' }), ['SR-EXACT:possible', 'SR-TYPO:possible', 'SR-SWAP:possible']);
  });

  test('the date of birth narrows: the same names and date are likely and lead; one name and the date is possible', async () => {
    assert.deepEqual(await search({ name: 'Orla Pennifold', dateOfBirth: '2012-05-01' }), [
      'SR-EXACT:likely',
      'SR-TYPO:possible',
      'SR-SWAP:possible',
      'SR-SAMEDOB:possible',
    ]);
  });

  test('one word matches either name; names typed the other way round are found', async () => {
    assert.deepEqual(await search({ name: 'pennifold' }), ['SR-EXACT:possible', 'SR-SAMEDOB:possible', 'SR-TYPO:possible', 'SR-SWAP:possible']);
    assert.deepEqual((await search({ name: 'Pennifold Orla' })).slice(0, 1), ['SR-EXACT:possible']);
    assert.deepEqual(await search({ name: 'Wilhelmina' }), ['SR-LONG:possible']);
  });

  test('misspellings the first letter or the sound changes, and short names within one edit', async () => {
    assert.ok((await search({ name: 'Orla Bennifold' })).includes('SR-EXACT:possible'), 'first letter wrong');
    assert.ok((await search({ name: 'Ivo Darce' })).includes('SR-SHORT:possible'), 'a transposition in a five-letter name');
    assert.ok((await search({ name: 'Iva Dacre' })).includes('SR-SHORT:possible'), 'one edit in a three-letter name');
    assert.ok(!(await search({ name: 'Ian Dacre' })).includes('SR-SHORT:possible'), 'two edits in a three-letter name is another name');
  });

  test('a name being typed, a double-barrelled name as two words, and an alias', async () => {
    assert.ok((await search({ name: 'quorring' })).includes('SR-LONG:possible'), 'the start of a family name');
    assert.ok((await search({ name: 'Quorrington Vale' })).includes('SR-LONG:possible'));
    assert.ok((await search({ name: 'Orla Pennifold', dateOfBirth: '2013-02-02' })).includes('SR-ALIAS:possible'), 'an alias alike, with the date of birth');
  });

  test('hundreds of exact matches: the first page is all exact, the misspelling waits', async () => {
    await ctx.ownerQuery(
      `INSERT INTO children (partnership_id, owning_agency_id, reference, given_name, family_name, date_of_birth)
      SELECT $1, (SELECT id FROM agencies WHERE partnership_id = $1 AND kind = 'childrens_services'), 'SR-MANY-' || n, 'Child' || chr(97 + n % 26), 'Hollinrake', '2010-01-01'
        FROM generate_series(1, 60) n`,
      [northmere],
    );
    await ctx.ownerQuery(
      `INSERT INTO children (partnership_id, owning_agency_id, reference, given_name, family_name, date_of_birth)
      VALUES ($1, (SELECT id FROM agencies WHERE partnership_id = $1 AND kind = 'childrens_services'), 'SR-MANY-TYPO', 'Aaron', 'Hollinrak', '2010-01-01')`,
      [northmere],
    );
    // A closed record with the name is left out of a search by name (open records unless asked).
    await ctx.ownerQuery(
      `INSERT INTO children (partnership_id, owning_agency_id, reference, given_name, family_name, date_of_birth, status, closed_at, closing_outcome)
      VALUES ($1, (SELECT id FROM agencies WHERE partnership_id = $1 AND kind = 'childrens_services'), 'SR-MANY-CLOSED', 'Aaron', 'Hollinrake', '2010-01-01', 'closed', now(), 'moved_away')`,
      [northmere],
    );
    const exact = await search({ name: 'Hollinrake' });
    assert.equal(exact.length, 50);
    // All tie (possible, no edits), so the page is the first 50 in name order: only those are scored.
    const inNameOrder = await ctx.ownerQuery<{ reference: string }>(
      `SELECT reference FROM children WHERE family_name = 'Hollinrake' AND status = 'open' ORDER BY family_name, given_name, id LIMIT 50`,
    );
    assert.deepEqual(
      exact,
      inNameOrder.map((r) => `${r.reference}:possible`),
    );
    assert.ok(!exact.includes('SR-MANY-TYPO:possible'));
    assert.deepEqual((await search({ name: 'Hollinrak' })).slice(0, 1), ['SR-MANY-TYPO:possible'], 'its own exact spelling leads');
  });
});

describe('name keys in SQL', () => {
  test('lantern_name_distance is the edit distance capped at 3; names alike within 1 or 2 edits, both ways', async () => {
    const word = fc.string({ maxLength: 7, unit: fc.constantFrom('a', 'b', 'c', 'd') });
    const pairs = fc.sample(fc.tuple(word, word), 300);
    const rows = await ctx.ownerQuery<{ d: number; alike: boolean; back: boolean }>(
      `SELECT lantern_name_distance(a, b) AS d, lantern_names_alike(a, b) AS alike, lantern_names_alike(b, a) AS back
         FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS p (a, b, n) ORDER BY n`,
      [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
    );
    pairs.forEach(([a, b], i) => {
      const d = editDistance(a, b);
      const row = rows[i]!;
      assert.equal(row.d, Math.min(d, 3), `${a} ${b}`);
      assert.equal(row.alike, a !== '' && b !== '' && d <= (Math.min(a.length, b.length) <= 4 ? 1 : 2), `${a} ${b}`);
      assert.equal(row.back, row.alike);
    });
    const [long] = await ctx.ownerQuery<{ d: number }>(`SELECT lantern_name_distance(repeat('a', 300), 'a') AS d`);
    assert.equal(long!.d, 3, 'over levenshtein’s 255 characters: far apart, not an error');
  });

  test('the vocabulary follows the children: added, renamed, removed; the request role cannot read it', async () => {
    const count = async (key: string) =>
      (await ctx.ownerQuery<{ children: number }>(`SELECT children FROM child_name_keys WHERE partnership_id = $1 AND key = $2`, [northmere, key]))[0]
        ?.children ?? 0;
    assert.equal(await count('pennifold'), 2);
    const [child] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM children WHERE reference = 'SR-OTHER'`);
    await ctx.ownerQuery(`UPDATE children SET family_name = 'Marchbankes' WHERE id = $1`, [child!.id]);
    assert.deepEqual([await count('marchbanks'), await count('marchbankes')], [0, 1]);
    await ctx.ownerQuery(`UPDATE children SET school = 'Westbrook College' WHERE id = $1`, [child!.id]);
    assert.equal(await count('marchbankes'), 1, 'another change leaves the counts alone');
    await ctx.ownerQuery(`DELETE FROM children WHERE id = $1`, [child!.id]);
    assert.equal(await count('marchbankes'), 0, 'no name stays behind its last child');
    const [grants] = await ctx.ownerQuery<{ read: boolean }>(`SELECT has_table_privilege('lantern_app', 'child_name_keys', 'SELECT') AS read`);
    assert.equal(grants!.read, false);
  });

  test('lantern_name_candidates gives keys of the acting partnership only', async () => {
    await ctx.ownerQuery(
      `INSERT INTO children (partnership_id, owning_agency_id, reference, given_name, family_name)
      VALUES ($1, (SELECT id FROM agencies WHERE partnership_id = $1 AND kind = 'childrens_services'), 'SR-WEST', 'Orla', 'Pennyfold')`,
      [westbrook],
    );
    const agency = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM agencies WHERE partnership_id = $1 AND kind = 'childrens_services'`, [northmere]))[0]!
      .id;
    const keys = await withTrustedActor(
      ctx.handle.owner,
      { partnershipId: northmere, agencyId: agency, userId: null, roles: ['triage_worker'], label: 'search test' },
      async (tx) => (await sql<{ keys: string[] }>`SELECT lantern_name_candidates('pennifold') AS keys`.execute(tx)).rows[0]!.keys,
    );
    assert.ok(keys.includes('pennifold') && keys.includes('penifold') && keys.includes('pennifodl'));
    assert.ok(!keys.includes('pennyfold'), 'westbrook’s spelling is not disclosed to northmere');
  });
});
