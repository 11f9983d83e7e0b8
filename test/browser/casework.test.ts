import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { assertAccessible, browserAvailable, fillDate, shownDate, signInWithBrowser, startBrowserContext, type BrowserContext } from '../helpers/browser.ts';
import { aChild, demoAgency } from '../helpers/factories.ts';

let bc: BrowserContext;
let childId: string;

before(async () => {
  if (!browserAvailable) return;
  bc = await startBrowserContext();
  // A seeded Northmere child (the children feature's demo seed), or one made here when that seed is absent.
  const [seeded] = await bc.ctx.ownerQuery<{ id: string }>(
    `SELECT c.id FROM children c JOIN partnerships p ON p.id = c.partnership_id WHERE p.code = 'northmere' AND NOT c.restricted ORDER BY c.reference LIMIT 1`,
  );
  if (seeded) childId = seeded.id;
  else {
    const agency = await demoAgency(bc.ctx, 'northmere', 'childrens_services');
    childId = await aChild(bc.ctx, {
      partnership_id: agency.partnership_id,
      owning_agency_id: agency.id,
      reference: 'BR-CASE-1',
      given_name: 'Robin',
      family_name: 'Journeytest',
      date_of_birth: '2011-04-12',
    });
  }
});
after(async () => bc?.close());

async function go(page: Page, path: string) {
  await page.goto(`${bc.baseUrl}${path}`);
  await assertAccessible(page, bc);
}

async function submit(page: Page, name: string | RegExp) {
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name }).first().click()]);
  await page.waitForLoadState('load');
  await assertAccessible(page, bc);
}

describe('casework journeys in Chromium', { skip: browserAvailable ? false : 'Chromium is not installed (apt-get install chromium)' }, () => {
  test('a co-ordinator assesses a child, holds a strategy meeting and adds a plan action', async () => {
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('coordinator.northmere@lantern.example'));
    await assertAccessible(page, bc);

    await go(page, `/children/${childId}/assessments`);
    await page.getByRole('button', { name: 'Start a new risk assessment' }).click();
    await page.waitForURL('**/assessments/new');
    await assertAccessible(page, bc);
    for (const question of [/Known to children/, /In care/, /child protection plan/, /youth justice/]) {
      await page.getByRole('group', { name: question }).getByLabel('No', { exact: true }).check();
    }
    // The child has missing episodes on record: the form ticks those answers itself, to be checked.
    assert.ok(
      await page
        .getByRole('group', { name: /gone missing from home, care or school before/ })
        .getByRole('checkbox')
        .first()
        .isChecked(),
    );
    await page
      .getByRole('group', { name: /gone missing or stayed out very late/ })
      .getByRole('checkbox')
      .first()
      .uncheck();
    const significant = page.locator('input[type=checkbox][value=current]').first();
    await significant.check();
    await submit(page, 'Work out the score');
    assert.match((await page.locator('#score').textContent()) ?? '', /Score: 6 points/);
    await page.getByLabel('Medium risk').check();
    await page.getByLabel('Your reasons').fill('The school has seen gifts and a new phone; higher than the score.');
    await submit(page, 'Save assessment');
    await page.getByRole('heading', { name: /Risk assessment of/ }).waitFor();
    assert.match((await page.textContent('main')) ?? '', /How the score was worked out/);

    await go(page, `/children/${childId}/meetings`);
    await page.getByRole('group', { name: 'Meeting or discussion' }).getByLabel('Strategy meeting').check();
    await fillDate(page, 'Date held', '2026-11-01');
    await page.getByRole('group', { name: 'Agencies attending' }).getByRole('checkbox').first().check();
    await page.getByLabel('Attendees').fill('Social worker; detective constable; designated safeguarding lead');
    await page.getByLabel('Decisions').fill('Safety plan with carers; share vehicle details with police intelligence.');
    await page.getByRole('group', { name: 'Risk agreed' }).getByLabel('High').check();
    await fillDate(page, 'Next review date', '2026-12-01');
    await submit(page, 'Save meeting');
    await page.getByRole('heading', { name: /Strategy meeting, 1 November 2026/ }).waitFor();

    await page.getByLabel('Action', { exact: true }).fill('Visit the address named in the disclosure with police');
    await page.getByLabel('Owner’s name').fill('DC Ash Lane');
    await page.getByLabel('Owner’s agency').selectOption({ label: 'Fenland Valley Police' });
    await fillDate(page, 'Due date', '2026-10-30');
    await page.getByLabel('Agreed at').selectOption({ index: 1 });
    await submit(page, 'Add action');
    await page.getByRole('cell', { name: 'Visit the address named in the disclosure with police', exact: true }).waitFor();
    await page.close();
  });

  test('a co-ordinator searches the services directory from the plan, records a referral and updates its outcome', async () => {
    const [service] = await bc.ctx.ownerQuery<{ name: string }>(
      `SELECT s.name FROM directory_services s JOIN partnerships p ON p.id = s.partnership_id WHERE p.code = 'northmere' AND s.active ORDER BY s.name DESC LIMIT 1`,
    );
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('coordinator.northmere@lantern.example'));
    await go(page, `/children/${childId}/meetings`);
    await page.getByLabel('Search the services directory').fill(service!.name);
    await submit(page, 'Search');
    assert.match(page.url(), /service=/);
    const choices = page.getByRole('group', { name: 'Service referred to' }).getByRole('radio');
    assert.equal(await choices.count(), 1, 'the search narrows the directory to the one service');
    await choices.first().check();
    await fillDate(page, 'Date referred', '2026-10-30');
    await page.getByLabel('Outcome or notes').fill('Referral sent by secure email.');
    await submit(page, 'Record referral');
    assert.match(page.url(), /\/meetings#referrals$/, 'saved and back on the plan');
    await page.getByText('Referral sent by secure email.').waitFor();
    await page.getByLabel(`Status of the referral to ${service!.name}`).first().selectOption({ label: 'Attending' });
    // The newest referral is listed first: the one just recorded.
    await submit(page, /^Update/);
    const [saved] = await bc.ctx.ownerQuery<{ status: string }>(
      `SELECT status FROM service_referrals WHERE child_id = $1 AND outcome_note = 'Referral sent by secure email.'`,
      [childId],
    );
    assert.equal(saved!.status, 'attending');
    await go(page, `/children/${childId}/chronology`);
    assert.match((await page.textContent('main')) ?? '', /Referral to a service/);
    await page.close();
  });

  test('a missing episode leads to a return interview; the worklist shows what is overdue', async () => {
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('coordinator.northmere@lantern.example'));
    await go(page, `/children/${childId}/missing`);
    await page.getByLabel('Missing', { exact: true }).check();
    await fillDate(page, 'Start date', '2026-10-26');
    await page.getByLabel('Start time').fill('22:10');
    await page.getByLabel('Reported by').fill('Foster carer');
    await page.getByRole('group', { name: 'Risk at the time' }).getByLabel('High').check();
    await page.getByLabel('Police reference').fill('MP/123456');
    await submit(page, 'Save episode');
    await page.getByText('Still open').waitFor();

    await fillDate(page, 'Date of return', '2026-10-28');
    await page.getByLabel('Time of return').fill('07:45');
    await page.getByLabel('Where found', { exact: true }).first().fill('The bus station');
    await submit(page, 'Record return');
    await page.getByText('Overdue').first().waitFor();

    await go(page, '/worklists');
    const interviews = page.locator('#list-interviews');
    assert.ok((await interviews.getByRole('link').count()) > 0, 'the overdue return interview is listed');
    assert.match((await page.locator('#list-actions').textContent()) ?? '', /Visit the address named in the disclosure/);
    await page.getByLabel('Show').selectOption({ label: 'Return interviews overdue' });
    await page.getByLabel('Sort by').selectOption({ label: 'Child reference' });
    await submit(page, 'Apply');
    assert.match(page.url(), /show=interviews/);

    await go(page, `/children/${childId}/missing`);
    await page
      .getByRole('link', { name: /Record return interview/ })
      .first()
      .click();
    await page.waitForURL('**/interview');
    await assertAccessible(page, bc);
    await fillDate(page, 'Date the interview was offered', '2026-11-01');
    await page.getByLabel('Time the interview was offered').fill('10:00');
    await page.getByLabel('Who offered it').fill('Jo Independent');
    await page.getByLabel('Their agency').selectOption({ label: "Northmere Young People's Trust" });
    await page
      .getByRole('group', { name: /independent of the placement/ })
      .getByLabel('Yes')
      .check();
    await page.getByRole('group', { name: 'Did the child accept?' }).getByLabel('Accepted').check();
    await page.getByLabel('What was learned').fill('Went to a flat with older youths.');
    await page.getByLabel('Places the child mentioned').fill('Flat above the parade\nSkate park');
    await submit(page, 'Save return interview');
    await page.waitForURL(`**/children/${childId}/missing`);
    await page.getByText('Offered late').first().waitFor();

    await go(page, `/children/${childId}/chronology`);
    assert.match((await page.textContent('main')) ?? '', /Missing or absent episode[\s\S]*Return interview/);
    await go(page, `/children/${childId}/notes`);
    await page.getByLabel('Add a case note').fill('Return interview done; the places named are passed to the intelligence unit.');
    await submit(page, 'Save note');
    await page.getByText('the places named are passed to the intelligence unit').waitFor();
    await go(page, '/risk-tools');
    await submit(page, 'Check and load');
    assert.ok(await page.getByRole('link', { name: 'Choose a definition file or paste a definition' }).isVisible(), 'the error summary links to the field');
    await page.close();
  });

  test('a co-ordinator corrects a strategy meeting and a missing episode, and loads a tool definition from a file', async () => {
    const agency = await demoAgency(bc.ctx, 'northmere', 'childrens_services');
    const id = await aChild(bc.ctx, {
      partnership_id: agency.partnership_id,
      owning_agency_id: agency.id,
      reference: 'BR-EDIT-1',
      given_name: 'Morgan',
      family_name: 'Correctiontest',
      date_of_birth: '2012-02-03',
    });
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('coordinator.northmere@lantern.example'));

    // A meeting recorded with a review months away, then corrected so the review falls due this week.
    await go(page, `/children/${id}/meetings`);
    await page.getByRole('group', { name: 'Meeting or discussion' }).getByLabel('Strategy meeting').check();
    await fillDate(page, 'Date held', '2026-10-25');
    await page.getByRole('group', { name: 'Agencies attending' }).getByRole('checkbox').first().check();
    await page.getByLabel('Attendees').fill('Social worker; school nurse');
    await page.getByLabel('Decisions').fill('Refer to the exploitation panel.');
    await page.getByRole('group', { name: 'Risk agreed' }).getByLabel('Medium').check();
    await fillDate(page, 'Next review date', '2027-01-10');
    await submit(page, 'Save meeting');
    await page.getByRole('link', { name: 'Change strategy meeting, 25 October 2026' }).click();
    await page.waitForURL('**/edit');
    await assertAccessible(page, bc);
    assert.equal(await shownDate(page, 'Next review date'), '2027-01-10');
    await page.getByLabel('Attendees').fill('');
    await page.getByLabel('Decisions').fill('Refer to the exploitation panel; disruption visit.');
    await fillDate(page, 'Next review date', '2027-04-31');
    await submit(page, 'Save changes');
    assert.ok(await page.getByRole('link', { name: 'Enter who attended' }).isVisible(), 'the error summary links to the field');
    // The date's message links to its day box, and the boxes keep what was typed.
    await page.getByRole('link', { name: 'Next review date must be a real date' }).click();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'nextReviewOn-day');
    assert.equal(await shownDate(page, 'Next review date'), '2027-04-31');
    assert.equal(await page.getByLabel('Decisions').inputValue(), 'Refer to the exploitation panel; disruption visit.', 'what was typed is kept');
    await page.getByLabel('Attendees').fill('Social worker; school nurse; detective constable');
    await page.getByRole('group', { name: 'Risk agreed' }).getByLabel('High').check();
    await fillDate(page, 'Next review date', '2026-11-06');
    await submit(page, 'Save changes');
    await page.getByRole('heading', { name: /Strategy meeting, 25 October 2026/ }).waitFor();
    assert.match((await page.textContent('main')) ?? '', /disruption visit[\s\S]*6 November 2026/);
    await go(page, '/worklists?show=meetings');
    assert.match((await page.locator('#list-meetings').textContent()) ?? '', /BR-EDIT-1[\s\S]*6 November 2026/);

    // A plan action corrected, marked done by mistake and opened again.
    await go(page, `/children/${id}/meetings`);
    await page.getByLabel('Action', { exact: true }).fill('Return home interview with the school nurse');
    await page.getByLabel('Owner’s name').fill('Alex Nurse');
    await page.getByLabel('Owner’s agency').selectOption({ index: 1 });
    await fillDate(page, 'Due date', '2026-12-01');
    await submit(page, 'Add action');
    await page.getByRole('link', { name: 'Change the action: Return home interview with the school nurse' }).click();
    await page.waitForURL('**/edit');
    await assertAccessible(page, bc);
    await fillDate(page, 'Due date', '2026-11-20');
    await submit(page, 'Save changes');
    await page.getByRole('cell', { name: '20 November 2026' }).waitFor();
    // The hidden part of a button's name is read after a space: "Mark as done : …".
    await submit(page, /^Mark as done\W+Return home interview with the school nurse$/);
    await submit(page, /^Mark as not done\W+Return home interview with the school nurse$/);
    await page.getByRole('button', { name: /^Mark as done\W+Return home interview with the school nurse$/ }).waitFor();

    // An episode whose return time was recorded wrongly: the interview deadline follows the correction.
    await go(page, `/children/${id}/missing`);
    await page.getByLabel('Absent', { exact: true }).check();
    await fillDate(page, 'Start date', '2026-10-29');
    await page.getByLabel('Start time').fill('18:00');
    await fillDate(page, 'End date (if the child has already returned)', '2026-10-30');
    await page.getByLabel('End time').fill('07:00');
    await page.getByLabel('Reported by').fill('Residential worker');
    await page.getByRole('group', { name: 'Risk at the time' }).getByLabel('Low').check();
    await submit(page, 'Save episode');
    await page.getByText('Offer by 2 Nov 2026, 07:00').waitFor();
    await page.getByRole('link', { name: 'Change the episode that started 29 Oct 2026, 18:00' }).click();
    await page.waitForURL('**/edit');
    await assertAccessible(page, bc);
    assert.equal(await page.getByRole('radio').count(), 3, 'risk only: the type is not offered');
    await fillDate(page, 'Date of return', '2026-10-28');
    await submit(page, 'Save changes');
    assert.ok(await page.getByRole('link', { name: 'The end must be after the start' }).isVisible());
    await fillDate(page, 'Date of return', '2026-10-30');
    await page.getByLabel('Time of return').fill('09:30');
    await page.getByLabel('Where found', { exact: true }).fill('Friend’s flat');
    await submit(page, 'Save changes');
    await page.waitForURL(`**/children/${id}/missing`);
    await page.getByText('Offer by 2 Nov 2026, 09:30').waitFor();
    assert.match((await page.textContent('main')) ?? '', /Friend’s flat/);

    // A tool definition chosen as a file: problems are listed with their place in the file.
    const tool = {
      id: 'browser-upload',
      version: 1,
      name: 'Browser upload tool',
      description: 'Synthetic',
      sections: [
        {
          id: 's',
          title: 'Signs',
          kind: 'generic',
          windows: [{ id: 'now', label: 'now' }],
          points: [{ windows: ['now'], points: 2 }],
          indicators: [{ id: 'i1', text: 'A sign' }],
        },
      ],
      bands: [
        { key: 'low', label: 'Low', level: 'low', min: 0 },
        { key: 'high', label: 'High', level: 'high', min: 2 },
      ],
    };
    await go(page, '/risk-tools');
    await page
      .getByLabel('Definition file')
      .setInputFiles({ name: 'tool.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ ...tool, bands: [] })) });
    await submit(page, 'Check and load');
    assert.ok(
      await page
        .getByRole('link', { name: /^bands: / })
        .first()
        .isVisible(),
      'the problem names its JSON path',
    );
    await page.getByLabel('Definition file').setInputFiles({ name: 'tool.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(tool)) });
    await submit(page, 'Check and load');
    await page.getByRole('cell', { name: /Browser upload tool/ }).waitFor();
    await page.close();
  });
});
