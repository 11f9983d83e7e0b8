import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { seedScale } from '../../src/seed/demo.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signIn } from '../helpers/http.ts';

let ctx: TestContext;

before(async () => {
  ctx = await createTestContext();
  await seedScale(ctx.handle.owner, 600);
});
after(async () => ctx.close());

const count = async (sqlText: string) => Number((await ctx.ownerQuery<{ n: string }>(sqlText))[0]!.n);

describe('benchmark-scale seed (lantern seed --scale)', () => {
  test('gives every scaled child history from each feature', async () => {
    const scaled = `SELECT id FROM children WHERE reference ~ '^C[0-9]{7}$'`;
    assert.equal(await count(`SELECT count(*) AS n FROM (${scaled}) c`), 600);
    assert.equal(await count(`SELECT count(*) AS n FROM concerns WHERE reference ~ '^SC[0-9]{7}$'`), 600);
    // Every scaled child has an allocated worker in its owning agency and at least one assessment.
    assert.equal(
      await count(`SELECT count(*) AS n FROM children c WHERE c.id IN (${scaled})
      AND NOT EXISTS (SELECT 1 FROM child_involvements i WHERE i.child_id = c.id AND i.agency_id = c.owning_agency_id AND i.worker_user_id IS NOT NULL)`),
      0,
    );
    assert.equal(
      await count(`SELECT count(*) AS n FROM children c WHERE c.id IN (${scaled})
      AND NOT EXISTS (SELECT 1 FROM risk_assessments a WHERE a.child_id = c.id)`),
      0,
    );
    for (const table of ['missing_episodes', 'return_interviews', 'strategy_meetings', 'plan_actions', 'case_notes']) {
      assert.ok((await count(`SELECT count(*) AS n FROM ${table} WHERE child_id IN (${scaled})`)) > 0, table);
    }
    // The current-assessment table follows every child's latest assessment.
    assert.equal(
      await count(`SELECT count(*) AS n FROM risk_assessment_current l
      WHERE l.assessment_id <> (SELECT b.id FROM risk_assessments b WHERE b.child_id = l.child_id ORDER BY b.assessed_on DESC, b.created_at DESC LIMIT 1)`),
      0,
    );
  });

  test('intelligence at scale: persons = n/10, locations and objects = n/4, links = 3n/4, linked to the scaled children with hotspots', async () => {
    const bench = (table: string) => count(`SELECT count(*) AS n FROM ${table} WHERE created_by_name = 'Lantern (benchmark)'`);
    assert.equal(await bench('persons_of_concern'), 60);
    assert.equal((await bench('intel_locations')) + (await bench('intel_objects')), 150);
    assert.ok((await bench('intel_locations')) > 0 && (await bench('intel_objects')) > 0);
    assert.equal(await bench('intel_links'), 450);
    // Links to children name scaled children of the link's own partnership (most links are to children).
    const toChildren = await count(`SELECT count(*) AS n FROM intel_links l JOIN children c ON c.id = l.from_id AND c.partnership_id = l.partnership_id
      WHERE l.created_by_name = 'Lantern (benchmark)' AND l.from_kind = 'child' AND c.reference ~ '^C[0-9]{7}$'`);
    assert.ok(toChildren >= 300 && toChildren <= 400, `links from children: ${toChildren}`);
    // Skew: a few hotspot entities with many children, most with few.
    const perEntity = (
      await ctx.ownerQuery<{ n: string }>(`SELECT count(*) AS n FROM intel_links l WHERE l.created_by_name = 'Lantern (benchmark)' AND l.from_kind = 'child'
        GROUP BY l.to_id ORDER BY count(*) DESC`)
    ).map((r) => Number(r.n));
    assert.ok(perEntity[0]! >= 10, `busiest entity: ${perEntity[0]}`);
    const few = perEntity.filter((x) => x <= 2).length;
    assert.ok(few >= perEntity.length / 2, `entities with one or two children: ${few} of ${perEntity.length}`);
  });

  test('the demo social worker has a caseload on "my children"', async () => {
    const agent = await signIn(ctx.app, ctx.clock, ctx.account('social-worker.northmere@lantern.example'));
    const page = await agent.get('/worklists?show=children');
    assert.equal(page.statusCode, 200);
    assert.ok((page.body.match(/href="\/children\/[0-9a-f-]{36}\//g) ?? []).length >= 10);
  });
});
