import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signIn } from '../helpers/http.ts';

/**
 * Search scores a capped number of candidates; the database hands over the closest first. A name
 * shared by hundreds of records sharing its first letters must not crowd out an exact match.
 */
let ctx: TestContext;

before(async () => {
  ctx = await createTestContext();
  const [{ id: northmere }] = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`)) as [{ id: string }];
  // 800 synthetic decoys whose family names start "Jo" but are not alike, all with ids below the target's.
  await ctx.ownerQuery(`INSERT INTO children (id, partnership_id, owning_agency_id, reference, given_name, family_name, date_of_birth)
    SELECT ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, $1, (SELECT id FROM agencies WHERE partnership_id = $1 AND kind = 'childrens_services'),
      'SC-DECOY-' || n, 'Decoy', 'Joquarrington' || chr(97 + n % 26) || chr(97 + (n / 26) % 26), '2010-01-01'
    FROM generate_series(1, 800) n`, [northmere]);
  await ctx.ownerQuery(`INSERT INTO children (id, partnership_id, owning_agency_id, reference, given_name, family_name, date_of_birth)
    VALUES ('ffffffff-ffff-4fff-bfff-ffffffffffff', $1, (SELECT id FROM agencies WHERE partnership_id = $1 AND kind = 'childrens_services'),
      'SC-TARGET', 'Wren', 'Jovanelli', '2013-06-07')`, [northmere]);
});
after(async () => ctx.close());

describe('search candidates', () => {
  test('an exact family name is found among hundreds sharing its first letters', async () => {
    const triage = await signIn(ctx.app, ctx.clock, ctx.account('triage.northmere@lantern.example'));
    const r = await triage.post('/children/search', { name: 'Jovanelli' });
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /Jovanelli, Wren/);
    const typo = await triage.post('/children/search', { name: 'Wren Jovanelly' });
    assert.match(typo.body, /Jovanelli, Wren/, 'one letter out is still found');
  });
});
