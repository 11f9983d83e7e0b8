import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, browserAvailable, signInWithBrowser, startBrowserContext, type BrowserContext } from '../helpers/browser.ts';

let bc: BrowserContext;
before(async () => {
  if (browserAvailable) bc = await startBrowserContext();
});
after(async () => bc?.close());

describe('the duplicate review queue in Chromium', { skip: browserAvailable ? false : 'Chromium is not installed (apt-get install chromium)' }, () => {
  test('a co-ordinator finds duplicates, reviews the demo pair and decides it is the same child', async () => {
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('coordinator.northmere@lantern.example'));
    await page.getByRole('link', { name: 'Duplicates' }).first().click();
    await assertAccessible(page, bc);
    await page.getByRole('button', { name: 'Find duplicates now' }).click();
    // The run page refreshes itself until the run is done.
    await page.locator('progress[value="100"]').waitFor({ timeout: 60_000 });
    await assertAccessible(page, bc);
    await page.getByRole('link', { name: 'Review the pairs' }).click();
    await assertAccessible(page, bc);
    const row = page.locator('tr', { hasText: 'Kayley Smyth' }).filter({ hasText: 'Kayleigh Smith' });
    await row.getByRole('link', { name: /Review/ }).click();
    await assertAccessible(page, bc);
    assert.match((await page.locator('#pair-probability').textContent()) ?? '', /Likely the same/);
    // No choice: the error summary links to the question.
    await page.getByRole('button', { name: 'Save decision' }).click();
    await assertAccessible(page, bc);
    assert.ok(await page.getByRole('link', { name: 'Select whether these records are the same person' }).isVisible());
    await page.getByLabel('The same person').check();
    await page.getByLabel('Note (optional)').fill('Same date of birth and school; spelling differs.');
    await page.getByRole('button', { name: 'Save decision' }).click();
    await assertAccessible(page, bc);
    assert.match((await page.locator('#decision').textContent()) ?? '', /The same person/);
    assert.match((await page.locator('#merge-link').getAttribute('href')) ?? '', /^\/children\/[0-9a-f-]{36}\/merge\/[0-9a-f-]{36}$/);
    const mergeHref = (await page.locator('#merge-link').getAttribute('href'))!;
    await page.getByRole('link', { name: 'Back to possible duplicates' }).click();
    assert.equal(await page.locator('tr', { hasText: 'Kayley Smyth' }).filter({ hasText: 'Kayleigh Smith' }).count(), 0, 'not asked again');
    // The merge confirmation, the merge, and its undo on the kept record's page.
    await page.goto(`${bc.baseUrl}${mergeHref}`);
    await assertAccessible(page, bc);
    await page.getByRole('button', { name: 'Merge the records' }).click();
    await assertAccessible(page, bc);
    assert.ok(await page.getByRole('heading', { name: 'Records merged into this one' }).isVisible());
    await page.getByRole('button', { name: /Undo/ }).first().click();
    await assertAccessible(page, bc);
  });

  test('a co-ordinator asks Westbrook whether it holds a child, stating why, and reads the answer', async () => {
    const page = await bc.newPage();
    const [child] = await bc.ctx.ownerQuery<{ id: string }>(
      `SELECT c.id FROM children c JOIN partnerships p ON p.id = c.partnership_id WHERE p.code = 'northmere' AND NOT c.restricted AND c.merged_into_id IS NULL ORDER BY c.reference LIMIT 1`,
    );
    await signInWithBrowser(page, bc, bc.ctx.account('coordinator.northmere@lantern.example'));
    await page.goto(`${bc.baseUrl}/children/${child!.id}`);
    const ask = page.getByRole('button', { name: /^Ask Westbrook/ });
    // No reason: refused, the error summary links to the question.
    await ask.click();
    await assertAccessible(page, bc);
    assert.ok(await page.getByRole('link', { name: 'Choose why you are asking' }).isVisible());
    await page.getByLabel('Why are you asking?').first().selectOption('moved_to_area');
    await page.getByRole('button', { name: /^Ask Westbrook/ }).click();
    await page.waitForURL('**/neighbour-answers/**');
    await assertAccessible(page, bc);
    assert.ok(await page.getByRole('heading', { name: /Answer from Westbrook/ }).isVisible());
  });
});
