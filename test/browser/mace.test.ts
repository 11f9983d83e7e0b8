import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import JSZip from 'jszip';
import { assertAccessible, browserAvailable, fillDate, signInWithBrowser, startBrowserContext, type BrowserContext } from '../helpers/browser.ts';

/**
 * A MACE meeting in a real browser (issue 12 §4), with axe on every page and the 320-pixel reflow
 * check: the co-ordinator opens the upcoming Northmere meeting, builds its VOLT agenda, finds a person of
 * concern by a nickname (a search, not a list of every one), adds a theme with a reason, minutes "Dean"
 * restricted to the police with an action for the schools service and a decision, then downloads the
 * pack for the schools service: "Dean" is withheld and counted.
 */
let bc: BrowserContext;
before(async () => {
  if (browserAvailable) bc = await startBrowserContext();
});
after(async () => bc?.close());

describe('MACE meetings in Chromium', { skip: browserAvailable ? false : 'Chromium is not installed (apt-get install chromium)' }, () => {
  test('the co-ordinator builds a MACE agenda, records actions, downloads the pack', async () => {
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('coordinator.northmere@lantern.example'));
    await page.getByRole('link', { name: 'MACE meetings', exact: true }).first().click();
    await page.getByRole('heading', { name: 'MACE meetings', level: 1 }).waitFor();
    await assertAccessible(page, bc);

    // The upcoming meeting, the latest (soonest first): its agenda not built yet.
    await page.locator('#meetings-upcoming').getByRole('link').last().click();
    await page.waitForURL(/\/mace\/[0-9a-f-]{36}$/);
    const meetingUrl = page.url();
    assert.match((await page.textContent('main')) ?? '', /Not built yet/);
    await assertAccessible(page, bc);
    await page.getByRole('button', { name: 'Build the agenda' }).click();
    await page.getByText(/Agenda built\. Items added: \d+/).waitFor();
    await assertAccessible(page, bc);
    const offenders = page.locator('#section-offenders');
    assert.ok(await offenders.getByRole('link', { name: 'Dean, D' }).isVisible(), 'Dean, linked to two children, is an offender on the agenda');
    assert.match((await offenders.textContent()) ?? '', /Linked to 2 children/);
    assert.match((await page.locator('#section-locations').textContent()) ?? '', /Ferry Road Grill/);
    assert.ok((await page.locator('#section-victims tbody tr').count()) > 0, 'children at high risk are on it');

    // A person of concern is found by a search (a nickname), not picked from a list of every one.
    await page.getByRole('link', { name: 'Add an item to the agenda' }).click();
    await assertAccessible(page, bc);
    await page.getByRole('radio', { name: 'Offenders', exact: true }).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await assertAccessible(page, bc);
    assert.equal(await page.locator('select').count(), 0);
    await page.getByLabel('Offenders: find the person of concern').fill('kez');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('group', { name: 'Choose from the matches for “kez”' }).waitFor();
    assert.equal(await page.getByRole('radio').count(), 1);
    assert.ok(await page.getByRole('radio', { name: 'Kieran Holt' }).isVisible());
    assert.match((await page.locator('#search-results').textContent()) ?? '', /Also known as Kez/);
    await assertAccessible(page, bc);

    // A theme the chair chooses, with the reason.
    await page.getByRole('link', { name: /^Change/ }).click();
    await page.getByRole('radio', { name: 'Themes', exact: true }).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Themes: the theme').fill('Children taken to the retail park at night');
    await page.getByLabel('Reason for adding it').fill('Three agencies reported it this month');
    await page.getByRole('button', { name: 'Add to the agenda' }).click();
    await page.getByText('Item added to the agenda').waitFor();
    await assertAccessible(page, bc);

    // Dean: minutes for the police only, an action for the schools service, a decision.
    await page.goto(meetingUrl);
    await page.locator('#section-offenders').getByRole('link', { name: 'Dean, D' }).click();
    await page.getByRole('heading', { name: 'Dean, D', level: 1 }).waitFor();
    await assertAccessible(page, bc);
    await page.getByLabel('Minutes of this item').fill('Police to consider a Child Abduction Warning Notice.');
    await page.getByRole('group', { name: 'Restricted to these agencies' }).first().getByLabel('Fenland Valley Police').check();
    await page.getByRole('button', { name: 'Save the minutes' }).click();
    await page.getByText('Minutes saved').waitFor();
    await assertAccessible(page, bc);
    await page.getByLabel('Action', { exact: true }).fill('Tell designated safeguarding leads about the car');
    await page.getByLabel('Owning agency').selectOption({ label: 'Northmere Schools Safeguarding Service' });
    await fillDate(page, 'Due date', '2027-01-15');
    await page.getByRole('button', { name: 'Add the action' }).click();
    await page.getByText('Action added').waitFor();
    await assertAccessible(page, bc);
    assert.ok(await page.locator('#item-actions').getByRole('cell', { name: 'Tell designated safeguarding leads about the car' }).isVisible());
    await page.getByRole('radio', { name: 'Child Abduction Warning Notice', exact: true }).check();
    await page.getByRole('button', { name: 'Record the decision' }).click();
    await page.getByText('Decision recorded').waitFor();
    await assertAccessible(page, bc);

    // The pack for the schools service: Dean's item is withheld and counted; the action's owner still sees it in its worklist.
    await page.getByRole('link', { name: 'Back to the meeting' }).click();
    await page.waitForURL(meetingUrl);
    assert.match((await page.locator('#meeting-actions').textContent()) ?? '', /Tell designated safeguarding leads about the car/);
    await page.getByLabel('Agency receiving the pack').selectOption({ label: 'Northmere Schools Safeguarding Service' });
    await page.getByRole('radio', { name: 'English', exact: true }).check();
    await assertAccessible(page, bc);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download as Word (DOCX)' }).click();
    const file = await (await download).path();
    const xml = await (await JSZip.loadAsync(fs.readFileSync(file))).file('word/document.xml')!.async('string');
    const text = xml.replace(/<[^>]+>/g, ' ');
    assert.match(text, /1 item withheld/);
    assert.doesNotMatch(text, /Dean, D/);
    assert.match(text, /Children taken to the retail park at night/);
    await page.close();

    const school = await bc.newPage();
    await signInWithBrowser(school, bc, bc.ctx.account('school.northmere@lantern.example'));
    await school.goto(`${bc.baseUrl}/worklists?show=maceActions`);
    await school.getByText('Tell designated safeguarding leads about the car').waitFor();
    await assertAccessible(school, bc);
    await school.close();
  });
});
