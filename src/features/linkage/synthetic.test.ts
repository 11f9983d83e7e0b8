import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NICKNAMES, generatePeople, personOf, syntheticColumns, truePairCount } from './synthetic.ts';

test('synthetic people: the same seed gives the same records, another seed others', () => {
  const a = generatePeople({ records: 2_000, seed: 5 });
  const b = generatePeople({ records: 2_000, seed: 5 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(generatePeople({ records: 2_000, seed: 6 }).records, a.records);
  assert.equal(a.records.length, 2_000);
  for (const r of a.records) assert.deepEqual(Object.keys(r), [...syntheticColumns]);
});

test('synthetic people: every kind of error is made, and each is visible against the original', () => {
  const { records, errors } = generatePeople({ records: 20_000, seed: 1 });
  for (const [kind, n] of Object.entries(errors)) assert.ok(n > 100, `${kind}: ${n}`);
  const originals = new Map(records.filter((r) => r.rec_id!.endsWith('-org')).map((r) => [personOf(r.rec_id), r]));
  let swapped = 0;
  let nicknames = 0;
  let transposed = 0;
  let missing = 0;
  for (const dup of records.filter((r) => r.rec_id!.includes('-dup-'))) {
    const org = originals.get(personOf(dup.rec_id))!;
    if (dup.given_name === org.surname && dup.surname === org.given_name) swapped += 1;
    if (NICKNAMES[org.given_name!]?.includes(dup.given_name ?? '')) nicknames += 1;
    const [y, m, d] = org.date_of_birth!.split('-');
    if (dup.date_of_birth === `${y}-${d}-${m}`) transposed += 1;
    if (Object.values(dup).includes(null)) missing += 1;
  }
  assert.ok(swapped > 100 && nicknames > 100 && transposed > 100 && missing > 100, JSON.stringify({ swapped, nicknames, transposed, missing }));
  // UK-format postcodes on the originals: outward code, space, digit and two letters.
  for (const org of originals.values()) assert.match(org.postcode!, /^[A-Z]{1,2}\d{1,2} \d[A-Z]{2}$/);
});

test('synthetic people: the truth is in the ids (rec-N-org, rec-N-dup-K), and counted pair by pair', () => {
  const { records } = generatePeople({ records: 1_000, seed: 3 });
  assert.match(records[0]!.rec_id!, /^rec-0-org$/);
  assert.ok(records.every((r) => /^rec-\d+-(org|dup-\d+)$/.test(r.rec_id!)));
  // Hand count: a person with k duplicates gives (k + 1) k / 2 true pairs.
  const groups = new Map<string, number>();
  for (const r of records) groups.set(personOf(r.rec_id), (groups.get(personOf(r.rec_id)) ?? 0) + 1);
  const expected = [...groups.values()].reduce((sum, n) => sum + (n * (n - 1)) / 2, 0);
  assert.equal(truePairCount(records), expected);
  assert.ok(expected > 100);
  assert.equal(truePairCount([{ rec_id: 'rec-1-org' }, { rec_id: 'rec-1-dup-0' }, { rec_id: 'rec-1-dup-1' }, { rec_id: 'rec-2-org' }]), 3);
  assert.throws(() => personOf('someone'), /not a synthetic id/);
});
