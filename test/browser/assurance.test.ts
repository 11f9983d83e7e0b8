import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, browserAvailable, fillDate, signInWithBrowser, startBrowserContext, type BrowserContext } from '../helpers/browser.ts';

let bc: BrowserContext;
before(async () => {
  if (browserAvailable) bc = await startBrowserContext();
});
after(async () => bc?.close());

describe('assurance journeys in Chromium', { skip: browserAvailable ? false : 'Chromium is not installed (apt-get install chromium)' }, () => {
  test('a strategy lead imports attendance, searches the directory and records a response to scrutiny', async () => {
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('strategy.northmere@lantern.example'));
    await assertAccessible(page, bc);

    // Compliance before the import.
    await page.getByRole('link', { name: 'Training' }).first().click();
    await assertAccessible(page, bc);
    await page.getByRole('link', { name: 'Training compliance' }).click();
    await assertAccessible(page, bc);
    const percent = async () => Number((await page.locator('#overall-compliance').textContent())!.replace('%', '').trim());
    const before = await percent();
    await page.getByRole('link', { name: 'See who has not been trained' }).click();
    await assertAccessible(page, bc);
    const outstanding = async () => Number(/(\d+)/.exec((await page.locator('#outstanding-people caption').textContent())!)![1]);
    const outstandingBefore = await outstanding();
    assert.ok(outstandingBefore > 0);

    // The session the demo accounts should have attended in their first two months.
    await page.getByRole('link', { name: 'Training' }).first().click();
    await page.getByLabel('Year').selectOption('2024');
    await page.getByRole('button', { name: 'Show' }).click();
    await assertAccessible(page, bc);
    await page.getByRole('link', { name: '15 October 2024 Understanding and recognising child sexual exploitation' }).click();
    await assertAccessible(page, bc);
    await page.getByRole('button', { name: 'Import attendance' }).click();
    await assertAccessible(page, bc);
    await page.getByRole('button', { name: 'Check the file' }).click();
    await assertAccessible(page, bc);
    assert.ok(await page.getByRole('link', { name: 'Choose a CSV file' }).isVisible(), 'error summary links to the file field');
    const csv = [
      'name,email,agency,role,started_on',
      "Triage Worker,triage.northmere@lantern.example,Northmere Council Children's Services,MASH triage social worker,",
      'Analyst,analyst.northmere@lantern.example,Fenland Valley Police,Intelligence analyst,',
      'Somebody,,Agency That Does Not Exist,,',
    ].join('\n');
    await page.getByLabel('Attendance file (CSV)').setInputFiles({ name: 'register.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Check the file' }).click();
    await assertAccessible(page, bc);
    assert.match((await page.locator('#import-errors').textContent()) ?? '', /does not match an agency/);
    await page.getByRole('button', { name: 'Import attendance' }).click();
    await assertAccessible(page, bc);
    assert.match((await page.textContent('body')) ?? '', /2 added/);

    await page.goto(`${bc.baseUrl}/training/compliance`);
    await assertAccessible(page, bc);
    assert.ok((await percent()) > before, 'the compliance figure rises');
    await page.getByRole('link', { name: 'See who has not been trained' }).click();
    await assertAccessible(page, bc);
    assert.equal(await outstanding(), outstandingBefore - 2, 'the outstanding list shrinks');

    // The services directory.
    await page.getByRole('link', { name: 'Services directory' }).first().click();
    await assertAccessible(page, bc);
    await page.getByLabel('Search by name or need').fill('return home');
    await page.getByLabel('Age of the child').fill('12');
    await page.getByRole('button', { name: 'Search' }).click();
    await assertAccessible(page, bc);
    await page.getByRole('link', { name: /Return home interview service/ }).click();
    await assertAccessible(page, bc);

    // Scrutiny: respond to a recommendation.
    await page.getByRole('link', { name: 'Scrutiny' }).first().click();
    await assertAccessible(page, bc);
    await page.getByRole('link', { name: 'Child sexual exploitation task and finish group' }).click();
    await assertAccessible(page, bc);
    await page.getByRole('link', { name: 'R8', exact: true }).click();
    await assertAccessible(page, bc);
    await page.getByRole('button', { name: 'Save the response' }).click();
    await assertAccessible(page, bc);
    assert.ok(await page.getByRole('link', { name: /Choose whether the recommendation/ }).isVisible());
    await page.getByLabel('Partly accepted').check();
    await page.getByLabel('What we will do').fill('Links to the community safety plan and the missing children protocol are added.');
    await page.getByLabel('Owner').fill('CSE strategy lead');
    await fillDate(page, 'Due', '2027-03-31');
    await page.getByLabel('Amber').check();
    await page.getByRole('button', { name: 'Save the response' }).click();
    await assertAccessible(page, bc);
    assert.match((await page.textContent('main')) ?? '', /Partly accepted/);
    await page.close();
  });

  test('a councillor sees compliance and campaign feedback without names', async () => {
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('councillor.northmere@lantern.example'));
    await page.getByRole('link', { name: 'Training' }).first().click();
    await assertAccessible(page, bc);
    await page.getByRole('link', { name: 'Training compliance' }).click();
    await assertAccessible(page, bc);
    assert.equal(await page.getByRole('link', { name: 'See who has not been trained' }).count(), 0);
    await page.getByRole('link', { name: 'Campaigns' }).first().click();
    await assertAccessible(page, bc);
    await page.getByRole('link', { name: 'Theatre-in-education play about grooming' }).click();
    await assertAccessible(page, bc);
    assert.match((await page.textContent('main')) ?? '', /%/);
    await page.close();
  });
});
