import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { aChild, demoAgency } from '../helpers/factories.ts';
import { signIn } from '../helpers/http.ts';

/**
 * Search scores a capped number of candidates; the database hands over the closest first. A name
 * shared by hundreds of records sharing its first letters must not crowd out an exact match.
 */
let ctx: TestContext;

before(async () => {
  ctx = await createTestContext();
  const agency = await demoAgency(ctx, 'northmere', 'childrens_services');
  const owned = { partnership_id: agency.partnership_id, owning_agency_id: agency.id };
  // 800 synthetic decoys whose family names start "Jo" but are not alike, all with ids below the target's.
  const letter = (n: number) => String.fromCharCode(97 + (n % 26));
  await aChild.many(
    ctx,
    Array.from({ length: 800 }, (_, i) => ({
      ...owned,
      id: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
      reference: `SC-DECOY-${i + 1}`,
      given_name: 'Decoy',
      family_name: `Joquarrington${letter(i + 1)}${letter(Math.floor((i + 1) / 26))}`,
      date_of_birth: '2010-01-01',
    })),
  );
  await aChild(ctx, {
    ...owned,
    id: 'ffffffff-ffff-4fff-bfff-ffffffffffff',
    reference: 'SC-TARGET',
    given_name: 'Wren',
    family_name: 'Jovanelli',
    date_of_birth: '2013-06-07',
  });
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
