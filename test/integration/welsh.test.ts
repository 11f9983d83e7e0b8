import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { Agent, signIn } from '../helpers/http.ts';

// Issue 11, first slice: the language is negotiated in one place (src/web/language.ts), every page
// has the switch in its header, and the public concern form /report is Welsh from end to end.

let ctx: TestContext;
let northmere: string;
before(async () => {
  ctx = await createTestContext();
  [{ id: northmere }] = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`)) as [{ id: string }];
});
after(async () => ctx.close());

const htmlLang = (body: string) => /<html lang="([^"]+)"/.exec(body)?.[1];
const switchLink = (body: string) => /<a href="([^"]+)" class="[^"]*lantern-header__language"[^>]*lang="([^"]+)" hreflang="([^"]+)">([^<]+)<\/a>/.exec(body);

describe('the language of a page', () => {
  test('English is the default, with a switch to Welsh in the header', async () => {
    const page = await new Agent(ctx.app).get('/report');
    assert.equal(page.statusCode, 200);
    assert.equal(htmlLang(page.body), 'en');
    assert.match(page.body, /Tell us you are worried about a child/);
    const link = switchLink(page.body);
    assert.ok(link, 'the header has the language switch');
    assert.deepEqual(link.slice(1), ['/report?lang=cy', 'cy', 'cy', 'Cymraeg']);
  });

  test('Accept-Language: cy on a first visit gives the Welsh page, with a switch to English', async () => {
    const page = await new Agent(ctx.app).get('/report', { 'accept-language': 'cy-GB, cy;q=0.9, en;q=0.5' });
    assert.equal(htmlLang(page.body), 'cy');
    assert.match(page.body, /Dywedwch wrthym eich bod yn poeni am blentyn/);
    assert.match(page.body, /Neidio i’r prif gynnwys/);
    assert.match(page.body, /Preifatrwydd a chwcis/, 'the footer is Welsh');
    assert.doesNotMatch(page.body, /Tell us you are worried/);
    assert.deepEqual(switchLink(page.body)!.slice(1), ['/report?lang=en', 'en', 'en', 'English']);
    // English first, or a language Lantern does not have, is English.
    assert.equal(htmlLang((await new Agent(ctx.app).get('/report', { 'accept-language': 'en-GB,cy;q=0.8' })).body), 'en');
    assert.equal(htmlLang((await new Agent(ctx.app).get('/report', { 'accept-language': 'fr' })).body), 'en');
  });

  test('the switch link sets the cookie and redirects back to the same page, keeping its query', async () => {
    const agent = new Agent(ctx.app);
    const chosen = await agent.get('/privacy?section=cookies&lang=cy');
    assert.equal(chosen.statusCode, 303);
    assert.equal(chosen.headers.location, '/privacy?section=cookies');
    const cookie = chosen.cookies.find((c) => c.name === 'lantern_lang');
    assert.equal(cookie?.value, 'cy');
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.sameSite, 'Lax');
    const page = await agent.get('/privacy?section=cookies');
    assert.equal(htmlLang(page.body), 'cy');
    assert.match(page.body, /Cwcis/);
    // The cookie outranks the browser's own languages; switching back is English again.
    assert.equal(htmlLang((await agent.get('/report', { 'accept-language': 'en' })).body), 'cy');
    await agent.get('/report?lang=en');
    assert.equal(agent.cookie('lantern_lang'), 'en');
    assert.equal(htmlLang((await agent.get('/report', { 'accept-language': 'cy' })).body), 'en');
    // Only English and Welsh are remembered, and the redirect never leaves the site.
    const unknown = await agent.get('/report?lang=fr');
    assert.equal(unknown.statusCode, 303);
    assert.equal(agent.cookie('lantern_lang'), 'en');
    const elsewhere = await agent.get('//evil.example/?lang=cy');
    assert.equal(elsewhere.headers.location, '/');
  });

  test('a signed-in person’s choice is saved and follows them to a new session', async () => {
    const account = ctx.account('triage.northmere@lantern.example');
    const first = await signIn(ctx.app, ctx.clock, account);
    assert.equal(htmlLang((await first.get('/')).body), 'en');
    assert.match((await first.get('/')).body, /lantern-header__language/, 'signed-in pages have the switch too');
    await first.get('/?lang=cy');
    const [row] = await ctx.ownerQuery<{ preferred_language: string | null }>(`SELECT preferred_language FROM users WHERE email = $1`, [account.email]);
    assert.equal(row!.preferred_language, 'cy');
    const audited = await ctx.ownerQuery<{ n: string }>(
      `SELECT count(*) AS n FROM audit_events a JOIN users u ON u.id = a.actor_user_id
        WHERE u.email = $1 AND a.action = 'user.update' AND a.record_id = u.id::text AND a.details->>'preferredLanguage' = 'cy'`,
      [account.email],
    );
    assert.equal(Number(audited[0]!.n), 1, 'the change of preference leaves an audit row');
    const home = await first.get('/');
    assert.equal(htmlLang(home.body), 'cy');
    assert.match(home.body, /Allgofnodi/);
    // Another browser (no language cookie), a new session: Welsh, and the cookie is set from the saved choice.
    const second = await signIn(ctx.app, ctx.clock, account);
    const again = await second.get('/', { 'accept-language': 'en' });
    assert.equal(htmlLang(again.body), 'cy');
    assert.equal(second.cookie('lantern_lang'), 'cy');
    // Back to English.
    await second.get('/?lang=en');
    const [after] = await ctx.ownerQuery<{ preferred_language: string | null }>(`SELECT preferred_language FROM users WHERE email = $1`, [account.email]);
    assert.equal(after!.preferred_language, 'en');
  });

  test('dates on a Welsh page are in Welsh', async () => {
    const agent = await signIn(ctx.app, ctx.clock, ctx.account('triage.northmere@lantern.example'));
    agent.setCookie('lantern_lang', 'cy');
    const page = await agent.get('/account');
    assert.equal(htmlLang(page.body), 'cy');
    // The sessions table shows when each began: a Welsh month's short name.
    assert.match(page.body, /\d{1,2} (Ion|Chwef|Maw|Ebr|Mai|Meh|Gorff|Awst|Medi|Hyd|Tach|Rhag) \d{4}/);
  });
});

describe('the public concern form in Welsh', () => {
  test('a form with mistakes shows the Welsh error summary and field messages', async () => {
    const agent = new Agent(ctx.app);
    agent.setCookie('lantern_lang', 'cy');
    await agent.get('/report');
    const wrong = await agent.post('/report', {
      partnershipId: northmere,
      whatHappened: 'Byr',
      'occurredOn-day': '31',
      'occurredOn-month': '2',
      'occurredOn-year': '2026',
    });
    assert.equal(wrong.statusCode, 400);
    assert.equal(htmlLang(wrong.body), 'cy');
    assert.match(wrong.body, /<title>Gwall: Dywedwch wrthym/);
    assert.match(wrong.body, /Mae problem wedi codi/);
    assert.match(wrong.body, /Dywedwch ychydig mwy wrthym am beth oedd yn eich poeni/);
    assert.match(wrong.body, /Dyddiad y digwyddiad: rhowch ddyddiad go iawn/);
    assert.match(wrong.body, /<span class="govuk-visually-hidden">Gwall:<\/span>/);
    assert.doesNotMatch(wrong.body, /There is a problem|<span class="govuk-visually-hidden">Error:/);
    const noContact = await agent.post('/report', { partnershipId: northmere, whatHappened: 'Rhywbeth a ddigwyddodd a oedd yn fy mhoeni.' });
    assert.equal(noContact.statusCode, 400);
    assert.match(noContact.body, /Rhowch ffordd o gysylltu â chi, neu dewiswch aros yn ddienw/);
  });

  test('a concern sent in Welsh gets the Welsh confirmation with its reference', async () => {
    const agent = new Agent(ctx.app);
    await agent.get('/report', { 'accept-language': 'cy' });
    agent.setCookie('lantern_lang', 'cy');
    const sent = await agent.follow(
      agent.post('/report', { partnershipId: northmere, whatHappened: 'Dynion hŷn yn rhoi alcohol i ferched yn y parc.', anonymous: 'yes' }),
    );
    assert.equal(sent.statusCode, 200);
    assert.equal(htmlLang(sent.body), 'cy');
    assert.match(sent.body, /Pryder wedi’i anfon/);
    assert.match(sent.body, /Eich cyfeirnod/);
    assert.match(sent.body, /Beth sy’n digwydd nesaf/);
    assert.match(sent.body, /id="concern-reference">[A-Z0-9-]+</);
  });
});

describe('a partnership’s languages', () => {
  test('an administrator sets the default and whether Welsh is offered; staff who have not chosen follow it', async () => {
    const admin = await signIn(ctx.app, ctx.clock, ctx.account('admin.northmere@lantern.example'));
    admin.setCookie('lantern_lang', 'en');
    const form = await admin.get('/admin/languages');
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /name="offersWelsh" type="radio" value="yes" checked/, 'a Welsh partnership offers Welsh from the start');
    // Welsh as the default of a partnership that does not offer it is refused, and nothing changes.
    const refused = await admin.post('/admin/languages', { offersWelsh: 'no', defaultLanguage: 'cy' });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /Welsh can be the default only if Welsh is offered/);
    const saved = await admin.post('/admin/languages', { offersWelsh: 'yes', defaultLanguage: 'cy' });
    assert.equal(saved.headers.location, '/admin/languages');
    const [row] = await ctx.ownerQuery<{ default_language: string; offers_welsh: boolean }>(
      `SELECT default_language, offers_welsh FROM partnerships WHERE id = $1`,
      [northmere],
    );
    assert.deepEqual(row, { default_language: 'cy', offers_welsh: true });
    const audited = await ctx.ownerQuery<{ n: string }>(
      `SELECT count(*) AS n FROM audit_events WHERE record_type = 'partnership' AND record_id = $1 AND action = 'record.update'`,
      [northmere],
    );
    assert.equal(Number(audited[0]!.n), 1);
    // A practitioner who has not chosen, with an English browser, gets the partnership's Welsh; their own choice wins.
    const practitioner = await signIn(ctx.app, ctx.clock, ctx.account('social-worker.northmere@lantern.example'));
    assert.equal(htmlLang((await practitioner.get('/', { 'accept-language': 'en-GB' })).body), 'cy');
    practitioner.setCookie('lantern_lang', 'en');
    assert.equal(htmlLang((await practitioner.get('/')).body), 'en');
    await admin.post('/admin/languages', { offersWelsh: 'yes', defaultLanguage: 'en' });
  });

  test('where Welsh is not offered, pages are English with no switch, whatever the cookie', async () => {
    const person = await signIn(ctx.app, ctx.clock, ctx.account('social-worker.westbrook@lantern.example'));
    person.setCookie('lantern_lang', 'cy');
    const home = await person.get('/');
    assert.equal(htmlLang(home.body), 'en', 'an English partnership does not offer Welsh unless it chooses to');
    assert.equal(switchLink(home.body), null);
    // Switching on Welsh there makes the switch appear and the choice count.
    const admin = await signIn(ctx.app, ctx.clock, ctx.account('admin.westbrook@lantern.example'));
    await admin.get('/admin/languages');
    assert.equal((await admin.post('/admin/languages', { offersWelsh: 'yes', defaultLanguage: 'en' })).headers.location, '/admin/languages');
    const again = await signIn(ctx.app, ctx.clock, ctx.account('social-worker.westbrook@lantern.example'));
    again.setCookie('lantern_lang', 'cy');
    assert.equal(htmlLang((await again.get('/')).body), 'cy');
    await admin.post('/admin/languages', { offersWelsh: 'no', defaultLanguage: 'en' });
  });

  test('the account page shows the language and offers the other', async () => {
    const person = await signIn(ctx.app, ctx.clock, ctx.account('analyst.northmere@lantern.example'));
    person.setCookie('lantern_lang', 'en');
    const page = await person.get('/account');
    assert.match(page.body, /English \(not chosen/);
    assert.match(page.body, /href="\/account\?lang=cy"[^>]*>Change to Cymraeg/);
  });
});
