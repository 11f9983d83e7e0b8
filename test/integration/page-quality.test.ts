import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { aChild, aConcern, aMissingEpisode, aRiskAssessment, demoAgency } from '../helpers/factories.ts';
import { Agent, dateFields, signIn } from '../helpers/http.ts';

/**
 * GOV.UK patterns on every page (issue 10, section 5): a success banner after each save, reached by
 * post/redirect/get; page titles that name the child; triage suggestions that say why; who reports
 * through the public form and how they heard of it; a risk assessment that starts from the record.
 */
let ctx: TestContext;
let northmere: string;
const agents: Record<string, Agent> = {};

before(async () => {
  ctx = await createTestContext();
  northmere = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`))[0]!.id;
  for (const key of ['triage.northmere', 'coordinator.northmere', 'strategy.northmere', 'admin.northmere']) {
    agents[key] = await signIn(ctx.app, ctx.clock, ctx.account(`${key}@lantern.example`));
  }
});
after(async () => ctx.close());

const title = (html: string) => /<title>([^<]*)<\/title>/.exec(html)?.[1]?.replace(/&#39;/g, '’');
const banner = (html: string) => /govuk-notification-banner--success[\s\S]*?<p class="govuk-notification-banner__heading">\s*([^<]*?)\s*<\/p>/.exec(html)?.[1];
const childByRef = async (reference: string) =>
  (
    await ctx.ownerQuery<{ id: string; given_name: string; family_name: string }>(
      `SELECT id, given_name, family_name FROM children WHERE reference = $1 AND partnership_id = $2`,
      [reference, northmere],
    )
  )[0]!;

describe('a success banner after every save (post/redirect/get)', () => {
  test('a case note, a child’s details and a glossary term each redirect to a page that says what was saved, once', async () => {
    const coordinator = agents['coordinator.northmere']!;
    const child = await childByRef('NM-1004');
    await coordinator.get(`/children/${child.id}/notes`);
    const note = await coordinator.post(`/children/${child.id}/notes`, { body: 'Spoke with the school about attendance.' });
    assert.equal(note.statusCode, 302);
    assert.equal(note.headers.location, `/children/${child.id}/notes`);
    const notes = await coordinator.get(`/children/${child.id}/notes`);
    assert.equal(banner(notes.body), 'Case note added');
    assert.equal(banner((await coordinator.get(`/children/${child.id}/notes`)).body), 'Case note added', 'a refresh shows it again and posts nothing');
    assert.equal(banner((await coordinator.get(`/children/${child.id}`)).body), undefined, 'another page drops it');
    assert.equal(banner((await coordinator.get(`/children/${child.id}/notes`)).body), undefined, 'and it does not come back');

    const triage = agents['triage.northmere']!;
    await triage.get(`/children/${child.id}/edit`);
    const edited = await triage.post(`/children/${child.id}/edit`, { gender: 'female', school: 'Northmere Academy', aliases: '' });
    assert.equal(edited.statusCode, 302);
    assert.equal(banner((await triage.get(edited.headers.location as string)).body), 'Child’s details saved');

    const lead = agents['strategy.northmere']!;
    await lead.get('/strategy/glossary');
    const term = await lead.post('/strategy/glossary', { term: 'MACEX', expansion: 'Multi-agency child exploitation meeting (a test term).' });
    assert.equal(term.statusCode, 302);
    assert.equal(banner((await lead.get('/strategy/glossary')).body), 'Term added');
  });

  test('a form shown again after a mistake shows no earlier success', async () => {
    const coordinator = agents['coordinator.northmere']!;
    const child = await childByRef('NM-1004');
    await coordinator.get(`/children/${child.id}/notes`);
    await coordinator.post(`/children/${child.id}/notes`, { body: 'Another note, saved.' });
    const refused = await coordinator.post(`/children/${child.id}/notes`, { body: '' });
    assert.equal(refused.statusCode, 400);
    assert.equal(banner(refused.body), undefined);
    assert.match(refused.body, /govuk-error-summary/);
  });

  test('a banner cookie that was not sealed by the server is ignored', async () => {
    const coordinator = agents['coordinator.northmere']!;
    coordinator.setCookie('lantern_flash', 'v1.not-sealed-by-us');
    const home = await coordinator.get('/');
    assert.equal(home.statusCode, 200);
    assert.equal(banner(home.body), undefined);
  });
});

describe('page titles', () => {
  test('every page of a child’s record names the page and the child; a mistake or an error page says Error', async () => {
    const coordinator = agents['coordinator.northmere']!;
    const child = await childByRef('NM-1004');
    const name = `${child.given_name} ${child.family_name} (NM-1004)`;
    const pages: [string, string][] = [
      [`/children/${child.id}`, 'Overview'],
      [`/children/${child.id}/missing`, 'Missing episodes'],
      [`/children/${child.id}/assessments`, 'Risk assessments'],
      [`/children/${child.id}/meetings`, 'Strategy meetings and plan'],
      [`/children/${child.id}/notes`, 'Case notes'],
      [`/children/${child.id}/chronology`, 'Chronology'],
      [`/children/${child.id}/edit`, 'Change details'],
      [`/children/${child.id}/involvements/new`, 'Add an agency or worker'],
    ];
    for (const [url, page] of pages) {
      const r = await coordinator.get(url);
      assert.equal(r.statusCode, 200, url);
      const shown = title(r.body) ?? '';
      assert.ok(shown.endsWith(` – ${name} – Lantern`), `${url}: ${shown}`);
      assert.ok(shown.startsWith(page.split(' ')[0]!), `${url}: ${shown} names the page`);
    }
    const refused = await coordinator.post(`/children/${child.id}/notes`, { body: '' });
    assert.equal(title(refused.body), `Error: Case notes – ${name} – Lantern`);
    const missing = await coordinator.get('/children/not-a-uuid');
    assert.equal(missing.statusCode, 404);
    assert.match(title(missing.body) ?? '', /^Error: /);
    assert.doesNotMatch(title((await coordinator.get('/children')).body) ?? '', /NM-|Error/, 'a page about no one child names none');
  });
});

describe('triage suggestions say why', () => {
  test('an exact name and date of birth, a similar name, each with the holding agency and the current risk level', async () => {
    const triage = agents['triage.northmere']!;
    const agency = await demoAgency(ctx, 'northmere', 'police');
    const roisin = await aChild(ctx, {
      partnership_id: northmere,
      owning_agency_id: agency.id,
      given_name: 'Roisin',
      family_name: 'Quartermaine',
      date_of_birth: '2012-02-03',
    });
    // A risk level from a judgement on an assessment (the one rule of migration 0170).
    await aRiskAssessment(ctx, { partnership_id: northmere, child_id: roisin, assessor_agency_id: agency.id, judgement_level: 'medium' });
    const concern = await aConcern(ctx, { partnership_id: northmere });
    await triage.get(`/triage/${concern}`);
    const decision = {
      decision: 'cse_concern',
      riskLevel: 'high',
      actingAgencyId: agency.id,
      link: 'new',
      givenName: 'Roisin',
      familyName: 'Quartermaine',
      ...dateFields('dateOfBirth', '2012-02-03'),
    };
    const exact = await triage.post(`/triage/${concern}`, decision);
    assert.equal(exact.statusCode, 409);
    const item = /<div id="duplicates">[\s\S]*?<li>([\s\S]*?)<\/li>/.exec(exact.body)?.[1] ?? '';
    assert.match(item, /Quartermaine/);
    assert.match(item, /Suggested because of: exact name, same date of birth/);
    const [{ name: agencyName }] = (await ctx.ownerQuery<{ name: string }>(`SELECT name FROM agencies WHERE id = $1`, [agency.id])) as [{ name: string }];
    assert.ok(item.includes(`held by ${agencyName.replace(/'/g, '&#39;')}`), item);
    assert.match(item, /Medium risk/);

    const similar = await triage.post(`/triage/${concern}`, { ...decision, familyName: 'Quatermaine', ...dateFields('dateOfBirth', '2012-03-02') });
    assert.equal(similar.statusCode, 409);
    assert.match(similar.body, /Suggested because of: similar name/);
    assert.doesNotMatch(/<div id="duplicates">[\s\S]*?<\/ul>/.exec(similar.body)?.[0] ?? '', /exact name/);

    const search = await triage.post(`/triage/${concern}/search`, { name: 'Roisin Quartermaine', ...dateFields('dateOfBirth', '2012-02-03') });
    assert.match(search.body, /Suggested because of: exact name, same date of birth · 3 February 2012 · held by/);
  });
});

describe('the public form asks who is reporting and how they heard of it', () => {
  test('stored, shown at triage and counted on the campaign the reporter named', async () => {
    const [campaign] = await ctx.ownerQuery<{ id: string; title: string }>(
      `SELECT id, title FROM campaigns WHERE partnership_id = $1 AND starts_on <= now()::date ORDER BY title LIMIT 1`,
      [northmere],
    );
    assert.ok(campaign, 'the demo has a Northmere campaign');
    const lead = agents['strategy.northmere']!;
    const countShown = async () => /Reports that named it[\s\S]*?(\d+) concerns? reported/.exec((await lead.get(`/campaigns/${campaign.id}`)).body)?.[1];
    const before = Number(await countShown());

    const visitor = new Agent(ctx.app);
    const form = await visitor.get('/report');
    assert.match(form.body, /Who are you\?/);
    assert.match(form.body, /A taxi or private hire driver/);
    assert.ok(form.body.includes(`value="campaign:${campaign.id}"`), 'the campaign is offered');
    const sent = await visitor.post('/report', {
      partnershipId: northmere,
      whatHappened: 'Two girls collected from the school gate by a driver who is not their taxi.',
      anonymous: 'yes',
      reporterKind: 'taxi_driver',
      heardFrom: `campaign:${campaign.id}`,
    });
    assert.equal(sent.statusCode, 302);
    const reference = /id="concern-reference">([^<]+)</.exec((await visitor.get('/report/sent')).body)![1]!;
    const [row] = await ctx.ownerQuery<{ id: string; reporter_kind: string; heard_via: string; heard_via_campaign_id: string }>(
      `SELECT id, reporter_kind, heard_via, heard_via_campaign_id FROM concerns WHERE reference = $1`,
      [reference],
    );
    assert.deepEqual({ ...row, id: undefined }, { id: undefined, reporter_kind: 'taxi_driver', heard_via: 'campaign', heard_via_campaign_id: campaign.id });

    const triage = agents['triage.northmere']!;
    const page = await triage.get(`/triage/${row!.id}`);
    assert.match(page.body, /Who reported it[\s\S]*?A taxi or private hire driver/);
    assert.ok(page.body.includes(campaign.title.replace(/'/g, '&#39;')), 'the campaign named');
    assert.match((await triage.get('/triage')).body, /A taxi or private hire driver/);
    assert.equal(Number(await countShown()), before + 1, 'the campaign page counts the report');
  });

  test('neither is required; a campaign of another partnership or a made-up answer is refused on the form', async () => {
    const visitor = new Agent(ctx.app);
    await visitor.get('/report');
    const plain = await visitor.post('/report', { partnershipId: northmere, whatHappened: 'A worry with nothing said about me.', anonymous: 'yes' });
    assert.equal(plain.statusCode, 302);
    const [westbrookCampaign] = await ctx.ownerQuery<{ id: string }>(
      `SELECT c.id FROM campaigns c JOIN partnerships p ON p.id = c.partnership_id WHERE p.code = 'westbrook' AND c.starts_on <= now()::date LIMIT 1`,
    );
    if (westbrookCampaign) {
      const other = await visitor.post('/report', {
        partnershipId: northmere,
        whatHappened: 'A worry naming the wrong campaign.',
        anonymous: 'yes',
        heardFrom: `campaign:${westbrookCampaign.id}`,
      });
      assert.equal(other.statusCode, 400);
      assert.match(other.body, /Choose a campaign of the partnership you are telling/);
    }
    const junk = await visitor.post('/report', {
      partnershipId: northmere,
      whatHappened: 'A worry with junk answers.',
      anonymous: 'yes',
      heardFrom: 'campaign:x',
      reporterKind: 'alien',
    });
    assert.equal(junk.statusCode, 400);
    assert.match(junk.body, /govuk-error-summary/);
  });
});

describe('a risk assessment starts from the child’s record', () => {
  test('in care, known to children’s services and missing episodes are filled in; a child without them is not', async () => {
    const coordinator = agents['coordinator.northmere']!;
    const cs = await demoAgency(ctx, 'northmere', 'childrens_services');
    const lookedAfter = await aChild(ctx, { partnership_id: northmere, owning_agency_id: cs.id, looked_after: true });
    await aMissingEpisode(ctx, { partnership_id: northmere, child_id: lookedAfter, started_at: new Date(ctx.clock.now().getTime() - 20 * 86_400_000) });
    const form = (await coordinator.get(`/children/${lookedAfter}/assessments/new`)).body;
    const checked = (name: string, value: string) => new RegExp(`name="${name}" type="(radio|checkbox)" value="${value}" checked`).test(form);
    assert.ok(checked('inCare', 'yes'), 'in care: yes');
    assert.ok(checked('knownToSocialCare', 'yes'), 'known to children’s services: yes');
    assert.ok(checked('answer-v-looked-after', 'ever'), 'the tool’s looked-after indicator is ticked');
    assert.ok(checked('answer-v-missing-history', 'ever'), 'gone missing before: ticked');
    assert.ok(checked('answer-m-missing-recent', 'last6Months'), 'gone missing in the last 6 months: ticked');
    assert.match(form, /Ticked from the child’s record/);

    const police = await demoAgency(ctx, 'northmere', 'police');
    const other = await aChild(ctx, { partnership_id: northmere, owning_agency_id: police.id });
    const plain = (await coordinator.get(`/children/${other}/assessments/new`)).body;
    assert.match(plain, /name="inCare" type="radio" value="no" checked/);
    assert.doesNotMatch(plain, /name="answer-v-looked-after" type="checkbox" value="ever" checked/);
    assert.doesNotMatch(plain, /id="from-record"/);
  });
});
