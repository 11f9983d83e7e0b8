import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, browserAvailable, signInWithBrowser, startBrowserContext, type BrowserContext } from '../helpers/browser.ts';

/**
 * Cohort flags and the filtered list in a real browser, with axe on every page (issue 10 §3): the
 * co-ordinator filters the children list by level and flag, pages keep the filters, opens a child,
 * adds a flag with the GOV.UK date input (an impossible date first) and sees it on the child's page;
 * the list reflows at 320 CSS pixels without the page scrolling sideways.
 */
let bc: BrowserContext;
before(async () => {
  if (browserAvailable) bc = await startBrowserContext();
});
after(async () => bc?.close());

describe('cohort flags and filters in Chromium', { skip: browserAvailable ? false : 'Chromium is not installed (apt-get install chromium)' }, () => {
  test('filter the list, open a child, add a flag', async () => {
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('coordinator.northmere@lantern.example'));
    await page.goto(`${bc.baseUrl}/children`);
    await assertAccessible(page, bc);

    await page.getByRole('group', { name: 'Current risk level' }).getByLabel('High risk').check();
    await page.getByRole('group', { name: 'Current risk level' }).getByLabel('Medium risk').check();
    await page.getByLabel('Sort by').selectOption({ label: 'Risk level, highest first' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/risk=high/);
    await assertAccessible(page, bc);
    const url = new URL(page.url());
    assert.deepEqual(url.searchParams.getAll('risk').sort(), ['high', 'medium']);
    assert.equal(url.searchParams.get('sort'), 'risk');
    assert.ok(await page.getByRole('group', { name: 'Current risk level' }).getByLabel('High risk').isChecked(), 'the form shows the filters applied');
    const first = page.locator('table.govuk-table tbody tr').first();
    assert.match((await first.textContent()) ?? '', /High risk/);

    // At 320 CSS pixels the page itself does not scroll sideways (the table scrolls in its own region).
    await page.setViewportSize({ width: 320, height: 800 });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 320, `page is ${width}px wide at 320px`);
    await page.setViewportSize({ width: 1200, height: 900 });

    // Open the first child, then its flags.
    await first.getByRole('link').click();
    await page.waitForURL(/\/children\/[0-9a-f-]{36}$/);
    await assertAccessible(page, bc);
    await page.getByRole('navigation', { name: 'Child record' }).getByRole('link', { name: 'Flags' }).click();
    await page.waitForURL(/\/flags$/);
    await assertAccessible(page, bc);

    await page.getByLabel('Substance misuse').check();
    await page.getByRole('group', { name: 'When did it start?' }).getByLabel('Day').fill('31');
    await page.getByRole('group', { name: 'When did it start?' }).getByLabel('Month').fill('2');
    await page.getByRole('group', { name: 'When did it start?' }).getByLabel('Year').fill('2026');
    await page.getByLabel('Where did the information come from?').fill('Return home interview');
    await page.getByRole('button', { name: 'Add flag' }).click();
    await assertAccessible(page, bc);
    assert.ok(await page.getByRole('link', { name: 'Start date must be a real date' }).isVisible(), 'the error summary links to the date');
    await page.getByRole('group', { name: 'When did it start?' }).getByLabel('Day').fill('28');
    await page.getByRole('button', { name: 'Add flag' }).click();
    await page.waitForURL(/flags\?saved=added/);
    await assertAccessible(page, bc);
    assert.ok(await page.getByText('Flag added').isVisible());
    assert.ok(await page.locator('#flags-open').locator('xpath=ancestor::table').locator('strong', { hasText: 'Substance misuse' }).isVisible());

    await page.getByRole('navigation', { name: 'Child record' }).getByRole('link', { name: 'Overview' }).click();
    await assertAccessible(page, bc);
    assert.ok(await page.locator('#flags').isVisible());
    assert.match((await page.locator('main').textContent()) ?? '', /Substance misuse/);
    await page.close();
  });
});
