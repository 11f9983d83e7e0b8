import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signIn, type Agent } from '../helpers/http.ts';

/**
 * Stopping a share from the child page: only those who may share may stop one, a reason is
 * required, the share ends with who and why, it is audited in the owning partnership's chain,
 * and the agency or partnership it was shared with can no longer read the child.
 */
let ctx: TestContext;
let northmere: string;
let westbrook: string;
let westbrookPolice: string;
const agents: Record<string, Agent> = {};

before(async () => {
  ctx = await createTestContext();
  const ids = await ctx.ownerQuery<{ id: string; code: string }>(`SELECT id, code FROM partnerships`);
  northmere = ids.find((p) => p.code === 'northmere')!.id;
  westbrook = ids.find((p) => p.code === 'westbrook')!.id;
  westbrookPolice = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM agencies WHERE partnership_id = $1 AND kind = 'police'`, [westbrook]))[0]!.id;
  for (const key of ['police.northmere', 'school.northmere', 'analyst.northmere', 'coordinator.northmere', 'coordinator.westbrook']) {
    agents[key] = await signIn(ctx.app, ctx.clock, ctx.account(`${key}@lantern.example`));
  }
});
after(async () => ctx.close());

const childByRef = async (reference: string) =>
  (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM children WHERE reference = $1 AND partnership_id = $2`, [reference, northmere]))[0]!.id;
const userId = async (email: string) => (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM users WHERE email = $1`, [email]))[0]!.id;

describe('stopping a share with another agency', () => {
  test('share → the agency can open the record → stop with a reason → the agency gets 404', async () => {
    const id = await childByRef('NM-1012'); // held by the police, in no plan (a plan would share it: migration 0170)
    const police = agents['police.northmere']!;
    const school = agents['school.northmere']!;
    const education = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM agencies WHERE partnership_id = $1 AND kind = 'education'`, [northmere]))[0]!.id;
    assert.equal((await school.get(`/children/${id}`)).statusCode, 404, 'not shared yet');

    await police.get(`/children/${id}`);
    assert.equal(
      (await police.post(`/children/${id}/share`, { shareAgencyId: education, lawfulBasis: 'UK GDPR 6(1)(e), 9(2)(g); DPA 2018 Sch 1 para 18' })).statusCode,
      302,
    );
    assert.equal((await school.get(`/children/${id}`)).statusCode, 200, 'the school can open it while it is shared');
    const [share] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM record_shares WHERE record_type = 'child' AND record_id = $1 AND agency_id = $2`, [
      id,
      education,
    ]);

    const page = await police.get(`/children/${id}`);
    assert.ok(page.body.includes(`action="/children/${id}/shares/${share!.id}/stop"`), 'a stop form for the share');
    assert.match(page.body, /Stop sharing with Northmere Schools Safeguarding Service/);

    const noReason = await police.post(`/children/${id}/shares/${share!.id}/stop`, { stopReason: '' });
    assert.equal(noReason.statusCode, 400);
    assert.match(noReason.body, /govuk-error-summary/);
    assert.ok(noReason.body.includes(`href="#stop-reason-${share!.id}"`), 'the summary links to this share’s reason');
    assert.ok(noReason.body.includes(`id="stop-reason-${share!.id}"`));
    assert.equal((await school.get(`/children/${id}`)).statusCode, 200, 'a refused stop changes nothing');

    const withoutToken = await police.post(`/children/${id}/shares/${share!.id}/stop`, { stopReason: 'The joint work with the school has ended.' }, null);
    assert.equal(withoutToken.statusCode, 403, 'CSRF token required');

    const stopped = await police.post(`/children/${id}/shares/${share!.id}/stop`, { stopReason: 'The joint work with the school has ended.' });
    assert.equal(stopped.statusCode, 302);
    assert.equal(stopped.headers.location, `/children/${id}`);
    const [row] = await ctx.ownerQuery<{ revoked: boolean; revoked_by: string; revoked_reason: string }>(
      `SELECT revoked_at IS NOT NULL AS revoked, revoked_by, revoked_reason FROM record_shares WHERE id = $1`,
      [share!.id],
    );
    assert.deepEqual(row, {
      revoked: true,
      revoked_by: await userId('police.northmere@lantern.example'),
      revoked_reason: 'The joint work with the school has ended.',
    });
    const audits = await ctx.ownerQuery<{ partnership_id: string; reason: string; details: Record<string, string> }>(
      `SELECT partnership_id, reason, details FROM audit_events WHERE action = 'record.unshare' AND record_type = 'child' AND record_id = $1`,
      [id],
    );
    assert.equal(audits.length, 1);
    assert.equal(audits[0]!.partnership_id, northmere);
    assert.equal(audits[0]!.reason, 'The joint work with the school has ended.');
    assert.deepEqual(
      { shareId: audits[0]!.details.shareId, kind: audits[0]!.details.kind, agencyId: audits[0]!.details.agencyId },
      { shareId: share!.id, kind: 'agency', agencyId: education },
    );

    assert.equal((await school.get(`/children/${id}`)).statusCode, 404, 'the school can no longer read the child');
    const after = await police.get(`/children/${id}`);
    assert.ok(!after.body.includes(`/shares/${share!.id}/stop`), 'a stopped share is no longer listed');
    assert.match(after.body, /Stopped sharing/, 'the access log names the action');
    assert.equal((await police.post(`/children/${id}/shares/${share!.id}/stop`, { stopReason: 'Stopping it a second time.' })).statusCode, 404);

    // Sharing again reopens the same share and clears the earlier stop.
    assert.equal(
      (await police.post(`/children/${id}/share`, { shareAgencyId: education, lawfulBasis: 'A new strategy discussion with the school' })).statusCode,
      302,
    );
    const [again] = await ctx.ownerQuery<{ revoked_at: Date | null; revoked_by: string | null; revoked_reason: string | null }>(
      `SELECT revoked_at, revoked_by, revoked_reason FROM record_shares WHERE id = $1`,
      [share!.id],
    );
    assert.deepEqual(again, { revoked_at: null, revoked_by: null, revoked_reason: null });
    assert.equal((await school.get(`/children/${id}`)).statusCode, 200);
  });

  test('only those who may share may stop a share', async () => {
    const id = await childByRef('NM-1012');
    const [share] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM record_shares WHERE record_type = 'child' AND record_id = $1 AND revoked_at IS NULL`, [
      id,
    ]);
    assert.ok(share, 'shared again by the test above');
    const analyst = agents['analyst.northmere']!;
    await analyst.get('/children');
    const refused = await analyst.post(`/children/${id}/shares/${share.id}/stop`, { stopReason: 'An analyst may read but not share.' });
    assert.equal(refused.statusCode, 403);
    assert.match(refused.body, /LANTERN_E_FORBIDDEN/);
    const page = await analyst.get(`/children/${id}`);
    assert.equal(page.statusCode, 200);
    assert.ok(!page.body.includes('/stop"'), 'no stop form without the permission to share');
    // Another partnership cannot stop it either: the record is not found there.
    const westbrookUser = agents['coordinator.westbrook']!;
    await westbrookUser.get('/children');
    assert.equal((await westbrookUser.post(`/children/${id}/shares/${share.id}/stop`, { stopReason: 'Trying from the other partnership.' })).statusCode, 404);
    const [row] = await ctx.ownerQuery<{ revoked_at: Date | null }>(`SELECT revoked_at FROM record_shares WHERE id = $1`, [share.id]);
    assert.equal(row!.revoked_at, null);
  });
});

describe('stopping a share with a neighbouring partnership', () => {
  test('share → the partnership can open the record → stop → 404, audited in the owning chain as the share was', async () => {
    const id = await childByRef('NM-1004');
    const coordinator = agents['coordinator.northmere']!;
    const neighbour = agents['coordinator.westbrook']!;
    assert.equal((await neighbour.get(`/children/${id}`)).statusCode, 404);
    const [live] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM sharing_agreements WHERE partnership_id = $1 AND ends_on IS NULL`, [northmere]);
    await coordinator.get(`/children/${id}`);
    assert.equal(
      (
        await coordinator.post(`/children/${id}/share-partnership`, {
          agreementId: live!.id,
          partnershipBasis: 'Cross-border exploitation: joint strategy discussion',
          recipientAgencyIds: [westbrookPolice],
        })
      ).statusCode,
      302,
    );
    assert.equal((await neighbour.get(`/children/${id}`)).statusCode, 200, 'Westbrook can open it while it is shared');
    const [share] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM child_partnership_shares WHERE child_id = $1 AND revoked_at IS NULL`, [id]);

    const page = await coordinator.get(`/children/${id}`);
    assert.ok(page.body.includes(`action="/children/${id}/partnership-shares/${share!.id}/stop"`));
    assert.equal(
      (await coordinator.post(`/children/${id}/partnership-shares/${share!.id}/stop`, { stopReason: 'short' })).statusCode,
      400,
      'a fuller reason is needed',
    );
    const stopped = await coordinator.post(`/children/${id}/partnership-shares/${share!.id}/stop`, {
      stopReason: 'The joint strategy discussion has concluded.',
    });
    assert.equal(stopped.statusCode, 302);
    assert.equal((await neighbour.get(`/children/${id}`)).statusCode, 404, 'Westbrook can no longer read the child');

    const [row] = await ctx.ownerQuery<{ revoked: boolean; revoked_by: string; revoked_reason: string }>(
      `SELECT revoked_at IS NOT NULL AS revoked, revoked_by, revoked_reason FROM child_partnership_shares WHERE id = $1`,
      [share!.id],
    );
    assert.deepEqual(row, {
      revoked: true,
      revoked_by: await userId('coordinator.northmere@lantern.example'),
      revoked_reason: 'The joint strategy discussion has concluded.',
    });
    const rows = await ctx.ownerQuery<{ action: string; chain_id: string; reason: string; details: Record<string, string> }>(
      `SELECT action, chain_id, reason, details FROM audit_events WHERE record_type = 'child' AND record_id = $1 AND action IN ('record.share', 'record.unshare') ORDER BY id`,
      [id],
    );
    assert.deepEqual(
      rows.map((r) => [r.action, r.chain_id]),
      [
        ['record.share', northmere],
        ['record.unshare', northmere],
      ],
    );
    const unshare = rows[1]!;
    assert.equal(unshare.reason, 'The joint strategy discussion has concluded.');
    assert.deepEqual(
      {
        shareId: unshare.details.shareId,
        kind: unshare.details.kind,
        recipient: unshare.details.recipientPartnershipId,
        agreement: unshare.details.agreementId,
      },
      { shareId: share!.id, kind: 'partnership', recipient: westbrook, agreement: live!.id },
    );
  });
});
