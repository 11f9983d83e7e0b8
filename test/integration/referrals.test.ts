import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { aChild } from '../helpers/factories.ts';
import { signIn, type Agent, dateFields } from '../helpers/http.ts';

/** Referrals from a child's plan to services of the directory: search, record, update, who may. */
let ctx: TestContext;
let northmere: string;
let child: string; // owned by Northmere children's services
let csAgency: string;
let services: { id: string; name: string }[];
let westbrookService: string;
const agents: Record<string, Agent> = {};

const referralAudits = (action: string) =>
  ctx.ownerQuery<{ details: Record<string, unknown> }>(
    `SELECT details FROM audit_events WHERE action = $1 AND record_type = 'child' AND record_id = $2 AND details->>'record' = 'service_referral' ORDER BY seq`,
    [action, child],
  );

before(async () => {
  ctx = await createTestContext();
  northmere = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`))[0]!.id;
  csAgency = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM agencies WHERE partnership_id = $1 AND kind = 'childrens_services'`, [northmere]))[0]!.id;
  child = await aChild(ctx, {
    partnership_id: northmere,
    owning_agency_id: csAgency,
    reference: 'REF-TEST-1',
    given_name: 'Referral',
    family_name: 'Testchild',
    date_of_birth: '2011-03-01',
  });
  services = await ctx.ownerQuery<{ id: string; name: string }>(`SELECT id, name FROM directory_services WHERE partnership_id = $1 AND active ORDER BY name`, [
    northmere,
  ]);
  westbrookService = (
    await ctx.ownerQuery<{ id: string }>(
      `SELECT s.id FROM directory_services s JOIN partnerships p ON p.id = s.partnership_id WHERE p.code = 'westbrook' LIMIT 1`,
    )
  )[0]!.id;
  for (const key of ['social-worker', 'school', 'councillor']) agents[key] = await signIn(ctx.app, ctx.clock, ctx.account(`${key}.northmere@lantern.example`));
});
after(async () => ctx.close());

describe('referrals to directory services', () => {
  test('the plan page searches the directory with a plain GET form', async () => {
    const worker = agents['social-worker']!;
    const all = await worker.get(`/children/${child}/meetings`);
    assert.equal(all.statusCode, 200);
    assert.match(all.body, /Referrals to services/);
    assert.match(all.body, /No referrals to services have been recorded yet\./);
    assert.match(all.body, /<form method="get" action="\/children\/[^"]+\/meetings"/);
    for (const s of services) assert.ok(all.body.includes(s.name.replace(/'/g, '&#39;')), `${s.name} listed when nothing is typed`);
    const target = services[0]!;
    const found = await worker.get(`/children/${child}/meetings?service=${encodeURIComponent(target.name)}`);
    assert.equal(found.statusCode, 200);
    assert.ok(found.body.includes(`value="${target.id}"`));
    assert.ok(!found.body.includes(`value="${services[1]!.id}"`), 'the search narrows the list');
    const none = await worker.get(`/children/${child}/meetings?service=zzzz-no-such-service`);
    assert.match(none.body, /No services in the directory match/);
  });

  test('a practitioner records a referral and updates its outcome; each change is audited and it joins the journey', async () => {
    const worker = agents['social-worker']!;
    const service = services[0]!;
    const missing = await worker.post(`/children/${child}/referrals`, {
      ...dateFields('referredOn', '2026-10-20'),
      referredByName: 'Sam Worker',
      referredByAgencyId: csAgency,
      status: 'referred',
    });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /Choose the service the child was referred to/);
    const future = await worker.post(`/children/${child}/referrals`, {
      serviceId: service.id,
      ...dateFields('referredOn', '2027-01-01'),
      referredByName: 'Sam Worker',
      referredByAgencyId: csAgency,
      status: 'referred',
    });
    assert.equal(future.statusCode, 400);
    assert.match(future.body, /cannot be in the future/);
    const otherPartnership = await worker.post(`/children/${child}/referrals`, {
      serviceId: westbrookService,
      ...dateFields('referredOn', '2026-10-20'),
      referredByName: 'Sam Worker',
      referredByAgencyId: csAgency,
      status: 'referred',
    });
    assert.equal(otherPartnership.statusCode, 400, 'a service of another partnership’s directory cannot be chosen');

    const saved = await worker.post(`/children/${child}/referrals`, {
      serviceId: service.id,
      ...dateFields('referredOn', '2026-10-20'),
      referredByName: 'Sam Worker',
      referredByAgencyId: csAgency,
      status: 'referred',
      outcomeNote: '',
    });
    assert.equal(saved.statusCode, 302, saved.body.slice(0, 400));
    const [row] = await ctx.ownerQuery<{ id: string; status: string; partnership_id: string }>(
      `SELECT id, status, partnership_id FROM service_referrals WHERE child_id = $1`,
      [child],
    );
    assert.equal(row!.status, 'referred');
    assert.equal(row!.partnership_id, northmere);
    const created = await referralAudits('record.create');
    assert.equal(created.length, 1);
    assert.equal(created[0]!.details.id, row!.id);

    const page = await worker.get(`/children/${child}/meetings`);
    assert.ok(page.body.includes(service.name.replace(/'/g, '&#39;')));
    assert.match(page.body, /Sam Worker/);

    const updated = await worker.post(`/children/${child}/referrals/${row!.id}`, { status: 'attending', outcomeNote: 'First session held.' });
    assert.equal(updated.statusCode, 302);
    const changes = await referralAudits('record.update');
    assert.deepEqual(changes.at(-1)!.details.status, { from: 'referred', to: 'attending' });
    assert.equal((await worker.post(`/children/${child}/referrals/${row!.id}`, { status: 'lost' })).statusCode, 400);

    const timeline = await worker.get(`/children/${child}/chronology`);
    assert.equal(timeline.statusCode, 200);
    assert.match(timeline.body, /Referral to a service/);
  });

  test('a practitioner of another agency gets 404, and a board member 403, whatever they try', async () => {
    const [row] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM service_referrals WHERE child_id = $1`, [child]);
    const school = agents.school!;
    assert.equal((await school.get(`/children/${child}/meetings`)).statusCode, 404);
    assert.equal(
      (
        await school.post(`/children/${child}/referrals`, {
          serviceId: services[0]!.id,
          ...dateFields('referredOn', '2026-10-20'),
          referredByName: 'X Y',
          referredByAgencyId: csAgency,
          status: 'referred',
        })
      ).statusCode,
      404,
    );
    assert.equal((await school.post(`/children/${child}/referrals/${row!.id}`, { status: 'withdrawn' })).statusCode, 404);
    const councillor = agents.councillor!;
    assert.equal((await councillor.get(`/children/${child}/meetings`)).statusCode, 403);
    assert.equal(
      (
        await councillor.post(`/children/${child}/referrals`, {
          serviceId: services[0]!.id,
          ...dateFields('referredOn', '2026-10-20'),
          referredByName: 'X Y',
          referredByAgencyId: csAgency,
          status: 'referred',
        })
      ).statusCode,
      403,
    );
    assert.equal((await councillor.post(`/children/${child}/referrals/${row!.id}`, { status: 'withdrawn' })).statusCode, 403);
    const [after] = await ctx.ownerQuery<{ status: string; n: number }>(
      `SELECT status, (SELECT count(*)::int FROM service_referrals WHERE child_id = $1) AS n FROM service_referrals WHERE id = $2`,
      [child, row!.id],
    );
    assert.equal(after!.status, 'attending');
    assert.equal(after!.n, 1);
  });

  test('the demo has referrals in both partnerships', async () => {
    const rows = await ctx.ownerQuery<{ code: string; n: number }>(
      `SELECT p.code, count(*)::int AS n FROM service_referrals r JOIN partnerships p ON p.id = r.partnership_id GROUP BY p.code ORDER BY p.code`,
    );
    assert.deepEqual(
      rows.map((r) => r.code),
      ['northmere', 'westbrook'],
    );
  });
});
