import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, browserAvailable, signInWithBrowser, startBrowserContext, type BrowserContext } from '../helpers/browser.ts';

/**
 * Intelligence in a real browser (issue 12 §1), with axe on every page and the 320-pixel reflow check:
 * the police analyst records a vehicle with its registration typed loosely, links it to a demo child,
 * finds it by the registration typed another way, links the demo person "Dean" as its driver, then
 * corrects the vehicle's colour and removes it with a reason.
 */
let bc: BrowserContext;
before(async () => {
  if (browserAvailable) bc = await startBrowserContext();
});
after(async () => bc?.close());

describe('intelligence in Chromium', { skip: browserAvailable ? false : 'Chromium is not installed (apt-get install chromium)' }, () => {
  test('the analyst records a vehicle, links it to a child and to “Dean”, and finds it by its registration', async () => {
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('analyst.northmere@lantern.example'));
    await assertAccessible(page, bc);
    await page.getByRole('link', { name: 'Intelligence', exact: true }).first().click();
    await page.getByRole('heading', { name: 'Intelligence', level: 1 }).waitFor();
    await assertAccessible(page, bc);

    // A vehicle, its registration typed as a child said it: spaces and lower case.
    await page.getByRole('link', { name: 'Add a vehicle, phone or online account' }).click();
    await assertAccessible(page, bc);
    await page.getByRole('radio', { name: 'Vehicle', exact: true }).check();
    await page.getByLabel('Registration', { exact: true }).fill('ab12 cde');
    await page.getByLabel('Colour').fill('Black');
    await page.getByLabel('Make').fill('BMW');
    await page.getByLabel('Model').fill('1 Series');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/intelligence\/objects\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: 'AB12CDE', level: 1 }).waitFor();
    await assertAccessible(page, bc);
    assert.match((await page.locator('.govuk-notification-banner').textContent()) ?? '', /Vehicle, phone or account added/);
    const vehiclePage = page.url();

    // Seen with a demo child, named by its reference however it is typed.
    await page.getByText('Add a link', { exact: true }).click();
    await page.getByLabel('Link', { exact: true }).selectOption({ label: 'Seen with' });
    await page.getByRole('radio', { name: 'Child', exact: true }).check();
    await page.getByLabel('Child’s reference').fill('nm-1004');
    await page.getByLabel('Source', { exact: true }).fill('Return interview: the car that collects her from school');
    await page.getByRole('radio', { name: 'Medium', exact: true }).check();
    await assertAccessible(page, bc);
    await page.getByRole('button', { name: 'Add link' }).click();
    await page.getByText('Link added').waitFor();
    await assertAccessible(page, bc);
    const links = page.getByRole('region', { name: 'Links' });
    assert.ok(await links.getByRole('link', { name: /\(NM-1004\)/ }).isVisible(), 'the child in the vehicle’s links');
    assert.match((await links.textContent()) ?? '', /Seen with/);

    // Found by the registration typed another way; the search is posted, so no registration in the address.
    await page.getByRole('link', { name: 'Intelligence', exact: true }).first().click();
    await page.getByLabel('Search intelligence').fill('AB12CDE');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.locator('#search-results').waitFor();
    await assertAccessible(page, bc);
    assert.ok(await page.getByRole('link', { name: 'AB12CDE' }).isVisible(), 'the vehicle found');
    assert.doesNotMatch(page.url(), /AB12/i);

    // "Dean" drives it: linked from his page, and seen from the vehicle's.
    await page.getByRole('link', { name: 'Show all' }).click();
    await page.getByRole('link', { name: 'Known as “Dean”' }).click();
    await page.getByRole('heading', { name: 'Known as “Dean”', level: 1 }).waitFor();
    await assertAccessible(page, bc);
    await page.getByText('Add a link', { exact: true }).click();
    await page.getByLabel('Link', { exact: true }).selectOption({ label: 'Drives' });
    await page.getByRole('radio', { name: 'Vehicle, phone or account', exact: true }).check();
    await page.locator('#objectId').selectOption({ label: 'AB12CDE' });
    await page.getByLabel('Source', { exact: true }).fill('Police log 1234 of 12 November');
    await page.getByRole('radio', { name: 'High', exact: true }).check();
    await page.getByRole('button', { name: 'Add link' }).click();
    await page.getByText('Link added').waitFor();
    await assertAccessible(page, bc);
    await page.getByRole('region', { name: 'Links' }).getByRole('link', { name: 'AB12CDE' }).click();
    await page.waitForURL(vehiclePage);
    await assertAccessible(page, bc);
    const vehicleLinks = (await page.getByRole('region', { name: 'Links' }).textContent()) ?? '';
    assert.match(vehicleLinks, /Driven by/);
    assert.match(vehicleLinks, /“Dean”/);
    assert.match(vehicleLinks, /Seen with/);

    // The vehicle's colour corrected (a form filled with the record), then the vehicle removed with a reason.
    await page.getByRole('link', { name: 'Edit this record' }).click();
    await page.getByRole('heading', { name: 'Edit the vehicle, phone or account', level: 1 }).waitFor();
    await assertAccessible(page, bc);
    assert.equal(await page.getByLabel('Registration', { exact: true }).inputValue(), 'ab12 cde');
    await page.getByLabel('Colour').fill('Dark blue');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(vehiclePage);
    await page.getByText('Vehicle, phone or account updated').waitFor();
    await assertAccessible(page, bc);
    assert.match((await page.textContent('main')) ?? '', /Dark blue/);
    await page.getByRole('link', { name: 'Remove this record' }).click();
    await page.getByRole('heading', { name: 'Remove the vehicle, phone or account', level: 1 }).waitFor();
    await assertAccessible(page, bc);
    await page.getByLabel('Reason for removing it').fill('Entered twice');
    await page.getByRole('button', { name: 'Remove the record' }).click();
    await page.waitForURL(vehiclePage);
    await page.getByText(/Removed by .+: Entered twice/).waitFor();
    await assertAccessible(page, bc);
    await page.close();
  });
});
