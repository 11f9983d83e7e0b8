import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { withTrustedActor, type TrustedActor } from '../../src/db/context.ts';
import { crossBoundaryPersons } from '../../src/features/intelligence/sharing-repository.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signIn, type Agent } from '../helpers/http.ts';

/**
 * Intelligence across boundaries (issue 12 §6, migration 0340): a person of concern or a location shared
 * with a neighbouring partnership under a live sharing agreement. Sharing on: the neighbour's
 * intelligence roles read the entity, the sharing partnership's links whose both ends they may see (other
 * shared entities, children shared with them) and add their own intelligence to it; the MACE list names it
 * for both partnerships. Sharing off (the share withdrawn, or the agreement ended): the neighbour reads
 * nothing of it and can link nothing more to it. Pages, audit rows, and row-level security directly.
 */
let ctx: TestContext;
let northmere: string;
let westbrook: string;
let agreement: string;
const ids: Record<string, string> = {};
const agents: Record<string, Agent> = {};

const one = async (text: string, values: unknown[] = []) => (await ctx.ownerQuery<{ id: string }>(text, values))[0]!.id;

before(async () => {
  ctx = await createTestContext();
  northmere = await one(`SELECT id FROM partnerships WHERE code = 'northmere'`);
  westbrook = await one(`SELECT id FROM partnerships WHERE code = 'westbrook'`);
  ids.dean = await one(`SELECT id FROM persons_of_concern WHERE partnership_id = $1 AND 'Dean' = ANY (aliases)`, [northmere]);
  // The demo's agreement from Northmere to Westbrook, under which Dean is shared.
  agreement = await one(`SELECT agreement_id AS id FROM intel_shares WHERE entity_id = $1`, [ids.dean]);
  ids.kieran = await one(`SELECT id FROM persons_of_concern WHERE partnership_id = $1 AND family_name = 'Holt'`, [northmere]);
  ids.mereCars = await one(`SELECT id FROM intel_locations WHERE partnership_id = $1 AND name = 'Mere Cars'`, [northmere]);
  ids.grill = await one(`SELECT id FROM intel_locations WHERE partnership_id = $1 AND name = 'Ferry Road Grill'`, [northmere]);
  ids.nm1004 = await one(`SELECT id FROM children WHERE reference = 'NM-1004'`);
  ids.deanShare = await one(`SELECT id FROM intel_shares WHERE entity_id = $1`, [ids.dean]);
  for (const key of ['analyst', 'coordinator', 'police'])
    for (const code of ['northmere', 'westbrook']) agents[`${key}.${code}`] = await signIn(ctx.app, ctx.clock, ctx.account(`${key}.${code}@lantern.example`));
});
after(async () => ctx.close());

/** An actor of a partnership's police with these roles, for row-level security directly. */
const actor = async (partnershipId: string, roles: string[]): Promise<TrustedActor> => ({
  userId: null,
  partnershipId,
  agencyId: await one(`SELECT id FROM agencies WHERE partnership_id = $1 AND kind = 'police'`, [partnershipId]),
  roles,
  label: 'intel sharing test',
});
const readable = async (as: TrustedActor, table: string, id: string) =>
  withTrustedActor(
    ctx.handle.owner,
    as,
    async (tx) => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE id = ${id}`.execute(tx)).rows[0]!.n,
  );
/** The ids of Northmere's links Westbrook's analyst reads. */
const northmereLinksSeenByWestbrook = async () =>
  withTrustedActor(ctx.handle.owner, await actor(westbrook, ['analyst']), async (tx) =>
    (await tx.selectFrom('intel_links').select('id').where('partnership_id', '=', northmere).execute()).map((r) => r.id),
  );
const link = (from: string, relation: string, to: string) =>
  one(`SELECT id FROM intel_links WHERE from_id = $1 AND relation = $2 AND to_id = $3 AND partnership_id = $4`, [from, relation, to, northmere]);
const persons = async (partnershipId: string) =>
  withTrustedActor(ctx.handle.owner, await actor(partnershipId, ['coordinator']), (tx) => crossBoundaryPersons(tx, partnershipId));
const audit = (action: string, recordId: string) =>
  ctx.ownerQuery<{ partnership_id: string; reason: string | null }>(
    `SELECT partnership_id, reason FROM audit_events WHERE action = $1 AND record_id = $2 ORDER BY seq`,
    [action, recordId],
  );

describe('intelligence shared across boundaries: on', () => {
  test('the demo: Northmere’s “Dean”, known in Westbrook, is listed there as shared by Northmere, with Westbrook’s own links and none of Northmere’s', async () => {
    const westbrookAnalyst = agents['analyst.westbrook']!;
    const index = await westbrookAnalyst.get('/intelligence');
    assert.equal(index.statusCode, 200);
    assert.match(index.body, new RegExp(`href="/intelligence/persons/${ids.dean}"`));
    assert.match(index.body, /Shared with us by Northmere Safeguarding Children Partnership/);
    const page = await westbrookAnalyst.get(`/intelligence/persons/${ids.dean}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /id="shared-with-us"/);
    // Westbrook's own intelligence about him: its child and its takeaway.
    assert.match(page.body, /Harbour Chicken/);
    assert.match(page.body, /WB-1005/);
    // Not Northmere's car, takeaway or children: none of them is shared.
    for (const unshared of ['NM19KXE', 'Ferry Road Grill', 'NM-1005', 'NM-1006', '/children/' + ids.nm1004]) {
      const at = page.body.indexOf(unshared);
      assert.equal(at, -1, `${unshared}: ${page.body.slice(Math.max(0, at - 300), at + 100)}`);
    }
    // Northmere's page of him says with whom he is shared.
    const own = await agents['analyst.northmere']!.get(`/intelligence/persons/${ids.dean}`);
    assert.match(own.body, /Shared with neighbouring partnerships/);
    assert.match(own.body, /Westbrook Safeguarding Children Partnership/);
    assert.match(own.body, new RegExp(`action="/intelligence/shares/${ids.deanShare}/withdraw"`));
  });

  test('cross-boundary persons are listed for both partnerships’ MACE agendas', async () => {
    const ours = await persons(northmere);
    const theirs = await persons(westbrook);
    assert.deepEqual(
      ours.map((p) => [p.personId, p.direction, p.partnership, p.name]),
      [[ids.dean, 'by', 'Westbrook Safeguarding Children Partnership', '“Dean”']],
    );
    assert.deepEqual(
      theirs.map((p) => [p.personId, p.direction, p.partnership]),
      [[ids.dean, 'with', 'Northmere Safeguarding Children Partnership']],
    );
  });

  test('the neighbour’s other roles read nothing shared, and its intelligence roles nothing unshared', async () => {
    for (const roles of [['practitioner'], ['triage_worker'], ['partnership_admin', 'dpo']]) {
      assert.equal(await readable(await actor(westbrook, roles), 'persons_of_concern', ids.dean!), 0, roles.join('+'));
    }
    const analyst = await actor(westbrook, ['analyst']);
    assert.equal(await readable(analyst, 'persons_of_concern', ids.dean!), 1);
    assert.equal(await readable(analyst, 'persons_of_concern', ids.kieran!), 0);
    assert.equal(await readable(analyst, 'intel_locations', ids.grill!), 0);
    assert.deepEqual(await northmereLinksSeenByWestbrook(), []);
    assert.equal((await agents['analyst.westbrook']!.get(`/intelligence/persons/${ids.kieran}`)).statusCode, 404);
  });

  test('sharing through the page: the form offers the live agreement, refuses a bad form with the error summary, saves, audits', async () => {
    const analyst = agents['analyst.northmere']!;
    const form = await analyst.get(`/intelligence/persons/${ids.kieran}/share`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /Share Kieran Holt with a neighbouring partnership/);
    assert.match(form.body, new RegExp(`value="${agreement}"`));
    const empty = await analyst.post(`/intelligence/persons/${ids.kieran}/share`, { agreementId: '', reason: '' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /govuk-error-summary/);
    assert.match(empty.body, /Choose a live sharing agreement/);
    assert.match(empty.body, /Enter why you are sharing it/);
    // An agreement that is not Northmere's to share under.
    const foreign = await one(
      `INSERT INTO sharing_agreements (partnership_id, recipient_partnership_id, purpose, lawful_basis, starts_on)
       VALUES ($1, $2, 'Westbrook to Northmere', 'test', '2025-01-01') RETURNING id`,
      [westbrook, northmere],
    );
    const refused = await analyst.post(`/intelligence/persons/${ids.kieran}/share`, { agreementId: foreign, reason: 'Seen in Westbrook with children' });
    assert.equal(refused.statusCode, 400);
    const saved = await analyst.post(`/intelligence/persons/${ids.kieran}/share`, { agreementId: agreement, reason: 'Drives children to Westbrook hotels' });
    assert.equal(saved.statusCode, 302);
    assert.equal(saved.headers.location, `/intelligence/persons/${ids.kieran}`);
    assert.match((await analyst.get(String(saved.headers.location))).body, /Shared with the neighbouring partnership/);
    const rows = await audit('record.share', ids.kieran!);
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0], { partnership_id: northmere, reason: 'Drives children to Westbrook hotels' });
    const again = await analyst.post(`/intelligence/persons/${ids.kieran}/share`, { agreementId: agreement, reason: 'Drives children to Westbrook hotels' });
    assert.equal(again.statusCode, 400);
    assert.match(again.body, /already shared with that partnership/);
  });

  test('the links the neighbour is allowed to: both ends shared with it (entities, or children shared under the children’s agreement)', async () => {
    const associates = await link(ids.kieran!, 'associates_with', ids.dean!);
    const worksAt = await link(ids.kieran!, 'works_at', ids.mereCars!);
    const seenWith = await link(ids.nm1004!, 'seen_with', ids.dean!);
    // Kieran and Dean are both shared; Mere Cars and the child are not.
    assert.deepEqual(await northmereLinksSeenByWestbrook(), [associates]);
    const shared = await agents['analyst.northmere']!.post(`/intelligence/locations/${ids.mereCars}/share`, {
      agreementId: agreement,
      reason: 'Private hire firm used to move children across the boundary',
    });
    assert.equal(shared.statusCode, 302);
    assert.deepEqual((await northmereLinksSeenByWestbrook()).sort(), [associates, worksAt].sort());
    // The child, once shared with Westbrook under the children's agreement, and the link to it shows.
    const westbrookAgencies = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM agencies WHERE partnership_id = $1`, [westbrook])).map((a) => a.id);
    const childShare = await one(
      `INSERT INTO child_partnership_shares (partnership_id, child_id, agreement_id, recipient_partnership_id, lawful_basis, recipient_agency_ids)
       VALUES ($1, $2, $3, $4, 'test', $5) RETURNING id`,
      [northmere, ids.nm1004, agreement, westbrook, westbrookAgencies],
    );
    assert.deepEqual((await northmereLinksSeenByWestbrook()).sort(), [associates, worksAt, seenWith].sort());
    const page = await agents['analyst.westbrook']!.get(`/intelligence/persons/${ids.dean}`);
    assert.match(page.body, /NM-1004/);
    assert.match(page.body, /Kieran Holt/);
    await ctx.ownerQuery(`UPDATE child_partnership_shares SET revoked_at = now() WHERE id = $1`, [childShare]);
    assert.deepEqual((await northmereLinksSeenByWestbrook()).sort(), [associates, worksAt].sort());
  });

  test('the neighbour adds its own intelligence to the shared person: a link from its page, and a report about it', async () => {
    const westbrookAnalyst = agents['analyst.westbrook']!;
    const added = await westbrookAnalyst.post(`/intelligence/persons/${ids.dean}/links`, {
      relation: 'seen_with',
      targetKind: 'child',
      childReference: 'WB-1004',
      source: 'Westbrook patrol',
      confidence: 'medium',
    });
    assert.equal(added.statusCode, 302);
    const [row] = await ctx.ownerQuery<{ partnership_id: string }>(
      `SELECT partnership_id FROM intel_links WHERE from_id = $1 AND source = 'Westbrook patrol'`,
      [ids.dean],
    );
    assert.equal(row!.partnership_id, westbrook, 'the link is Westbrook’s own');
    // Northmere does not read Westbrook's intelligence.
    assert.doesNotMatch((await agents['analyst.northmere']!.get(`/intelligence/persons/${ids.dean}`)).body, /Westbrook patrol|WB-1004/);
    const as = await actor(westbrook, ['analyst']);
    await withTrustedActor(ctx.handle.owner, as, async (tx) => {
      const report = await tx
        .insertInto('intel_reports')
        .values({
          partnership_id: westbrook,
          source_evaluation: '2',
          intelligence_assessment: 'B',
          handling_code: 'P',
          obtained_on: '2026-10-01',
          submitting_agency_id: as.agencyId!,
          officer_name: 'PC Test',
          sanitised_text: 'Dean seen at the quayside',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('intel_report_links')
        .values({ partnership_id: westbrook, report_id: report.id, entity_kind: 'person', entity_id: ids.dean! })
        .execute();
    });
  });

  test('the neighbour can neither share on nor withdraw the owner’s share, nor write a share of another partnership’s record', async () => {
    const westbrookAnalyst = agents['analyst.westbrook']!;
    assert.equal((await westbrookAnalyst.get(`/intelligence/persons/${ids.dean}/share`)).statusCode, 404);
    assert.equal(
      (await westbrookAnalyst.post(`/intelligence/persons/${ids.dean}/share`, { agreementId: agreement, reason: 'pass it on please' })).statusCode,
      404,
    );
    assert.equal((await westbrookAnalyst.post(`/intelligence/shares/${ids.deanShare}/withdraw`, {})).statusCode, 404);
    await assert.rejects(
      withTrustedActor(ctx.handle.owner, await actor(westbrook, ['analyst', 'coordinator']), (tx) =>
        tx
          .insertInto('intel_shares')
          .values({
            partnership_id: westbrook,
            shared_with_partnership_id: northmere,
            entity_kind: 'person',
            entity_id: ids.kieran!,
            agreement_id: agreement,
            reason: 'x',
          })
          .execute(),
      ),
      /not a record of the sharing partnership|row-level security/,
    );
    // A police practitioner of Northmere may not share at all.
    assert.equal((await agents['police.northmere']!.get(`/intelligence/persons/${ids.dean}/share`)).statusCode, 403);
  });
});

describe('intelligence shared across boundaries: off', () => {
  test('withdrawn: the neighbour sees nothing of the person and can link nothing more to it; its own links stay, the other end hidden', async () => {
    const withdrawn = await agents['analyst.northmere']!.post(`/intelligence/shares/${ids.deanShare}/withdraw`, {});
    assert.equal(withdrawn.statusCode, 302);
    assert.equal(withdrawn.headers.location, '/intelligence/shares');
    const list = await agents['analyst.northmere']!.get('/intelligence/shares');
    assert.match(list.body, /Share withdrawn/);
    assert.match(list.body, /Withdrawn on/);
    assert.equal((await audit('record.unshare', ids.dean!)).length, 1);

    const westbrookAnalyst = agents['analyst.westbrook']!;
    assert.equal((await westbrookAnalyst.get(`/intelligence/persons/${ids.dean}`)).statusCode, 404);
    assert.doesNotMatch((await westbrookAnalyst.get('/intelligence')).body, new RegExp(ids.dean!));
    assert.doesNotMatch((await westbrookAnalyst.get('/intelligence/shares')).body, /Dean/);
    const as = await actor(westbrook, ['analyst']);
    assert.equal(await readable(as, 'persons_of_concern', ids.dean!), 0);
    // Northmere's link between Kieran and Dean goes; Kieran's link to Mere Cars (both still shared) stays.
    assert.deepEqual(await northmereLinksSeenByWestbrook(), [await link(ids.kieran!, 'works_at', ids.mereCars!)]);
    // Westbrook's own links to Dean are still its rows, but its child's page no longer names him.
    const wb1005 = await one(`SELECT id FROM children WHERE reference = 'WB-1005'`);
    const own = await withTrustedActor(ctx.handle.owner, as, async (tx) =>
      tx
        .selectFrom('intel_links')
        .select('id')
        .where('partnership_id', '=', westbrook)
        .where((eb) => eb.or([eb('to_id', '=', ids.dean!), eb('from_id', '=', ids.dean!)]))
        .execute(),
    );
    assert.ok(own.length >= 2, 'Westbrook keeps its own links');
    const childPage = await westbrookAnalyst.get(`/children/${wb1005}`);
    assert.equal(childPage.statusCode, 200);
    assert.doesNotMatch(childPage.body, /“Dean”/);
    // No new link, no new report link to him.
    assert.equal(
      (
        await westbrookAnalyst.post(`/intelligence/persons/${ids.dean}/links`, {
          relation: 'seen_with',
          targetKind: 'child',
          childReference: 'WB-1004',
          source: 'after withdrawal',
          confidence: 'low',
        })
      ).statusCode,
      404,
    );
    await assert.rejects(
      withTrustedActor(ctx.handle.owner, as, (tx) =>
        tx
          .insertInto('intel_links')
          .values({
            partnership_id: westbrook,
            from_kind: 'child',
            from_id: wb1005,
            to_kind: 'person',
            to_id: ids.dean!,
            relation: 'seen_with',
            source: 'x',
            confidence: 'low',
          })
          .execute(),
      ),
      /not a record of its partnership/,
    );
    assert.deepEqual(
      (await persons(westbrook)).map((p) => p.personId),
      [ids.kieran],
    );
    assert.deepEqual(
      (await persons(northmere)).map((p) => p.personId),
      [ids.kieran],
    );
  });

  test('the agreement ended: nothing shared under it is seen, though the shares stand; live again, seen again', async () => {
    const as = await actor(westbrook, ['coordinator']);
    assert.equal(await readable(as, 'persons_of_concern', ids.kieran!), 1);
    await ctx.ownerQuery(`UPDATE sharing_agreements SET ends_on = current_date - 1, starts_on = least(starts_on, current_date - 1) WHERE id = $1`, [agreement]);
    try {
      assert.equal(await readable(as, 'persons_of_concern', ids.kieran!), 0);
      assert.equal(await readable(as, 'intel_locations', ids.mereCars!), 0);
      assert.deepEqual(await northmereLinksSeenByWestbrook(), []);
      assert.deepEqual(await persons(westbrook), []);
      assert.deepEqual(await persons(northmere), []);
      assert.equal((await agents['coordinator.westbrook']!.get(`/intelligence/locations/${ids.mereCars}`)).statusCode, 404);
      const list = await agents['analyst.northmere']!.get('/intelligence/shares');
      assert.match(list.body, /Agreement ended/);
      // Nor can Northmere share under it.
      const form = await agents['analyst.northmere']!.get(`/intelligence/locations/${ids.grill}/share`);
      assert.match(form.body, /id="no-agreement"/);
      const refused = await agents['analyst.northmere']!.post(`/intelligence/locations/${ids.grill}/share`, {
        agreementId: agreement,
        reason: 'after the agreement ended',
      });
      assert.equal(refused.statusCode, 400);
    } finally {
      await ctx.ownerQuery(`UPDATE sharing_agreements SET ends_on = NULL WHERE id = $1`, [agreement]);
    }
    assert.equal(await readable(as, 'persons_of_concern', ids.kieran!), 1);
  });

  test('malformed ids are not found', async () => {
    const analyst = agents['analyst.northmere']!;
    assert.equal((await analyst.get('/intelligence/persons/not-a-uuid/share')).statusCode, 404);
    assert.equal((await analyst.post('/intelligence/shares/123/withdraw', {})).statusCode, 404);
    assert.equal((await analyst.post(`/intelligence/shares/${crypto.randomUUID()}/withdraw`, {})).statusCode, 404);
  });
});
