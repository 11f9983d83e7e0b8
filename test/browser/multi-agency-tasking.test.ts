import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, browserAvailable, signInWithBrowser, startBrowserContext, type BrowserContext } from '../helpers/browser.ts';

/**
 * Multi-agency tasking in a real browser, axe on every page (issue 10 §2): the police officer, whose
 * agency attended NM-1004's strategy discussion and owns an action of her plan, signs in, finds the
 * task on the home page, opens the child and sees the action and why the record is shared with them.
 */
let bc: BrowserContext;
before(async () => {
  if (browserAvailable) bc = await startBrowserContext();
});
after(async () => bc?.close());

const action = 'Visit the flat where she was found and record the vehicles seen there';

describe('multi-agency tasking in Chromium', { skip: browserAvailable ? false : 'Chromium is not installed (apt-get install chromium)' }, () => {
  test('police sign in → the home page shows their task → open the child → see the action and the share', async () => {
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('police.northmere@lantern.example'));
    await assertAccessible(page, bc);

    const tasks = page.getByRole('table', { name: 'Your agency’s next actions' });
    await tasks.waitFor();
    const row = tasks.getByRole('row').filter({ hasText: action });
    assert.equal(await row.count(), 1, 'the task is on the home page');
    assert.match((await row.textContent()) ?? '', /NM-1004/);
    assert.match((await row.textContent()) ?? '', /8 November 2026/);

    // At 320 CSS pixels the home page reflows without scrolling sideways (WCAG 1.4.10).
    await page.setViewportSize({ width: 320, height: 640 });
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 320), 'no horizontal scrolling at 320 px');
    await page.setViewportSize({ width: 1280, height: 800 });

    await Promise.all([page.waitForLoadState('load'), row.getByRole('link', { name: 'Kayleigh Smith' }).click()]);
    await page.waitForURL(/\/children\/[0-9a-f-]+\/meetings$/);
    await assertAccessible(page, bc);
    assert.match((await page.textContent('main')) ?? '', new RegExp(action));
    assert.match((await page.textContent('main')) ?? '', /Fenland Valley Police/);

    // The record's overview: the share came from the plan, with its lawful basis; the agencies' named contacts.
    await page.goto(page.url().replace(/\/meetings$/, ''));
    await assertAccessible(page, bc);
    const main = (await page.textContent('main')) ?? '';
    assert.match(main, /Through the child’s plan: took part in the strategy discussion on 26 October 2026\./);
    assert.match(main, /Children Act 1989 s\.47 strategy discussion; Wales Safeguarding Procedures/);
    assert.match(main, /Casey Madeup, Exploitation team manager/);

    await page.goto(`${bc.baseUrl}/worklists?show=agencyActions`);
    await assertAccessible(page, bc);
    assert.match((await page.textContent('main')) ?? '', new RegExp(action));
    await page.close();
  });
});
