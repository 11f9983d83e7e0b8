import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, browserAvailable, signInWithBrowser, startBrowserContext, type BrowserContext } from '../helpers/browser.ts';

/**
 * The intelligence network in a real browser (issue 12 §5), with axe on every page and the 320-pixel
 * reflow check: a practitioner sees the sanitised network of their child (what, never who); the analyst
 * opens a person's network (the interactive picture from the vendored module, the tables beside it),
 * looks further, finds how two children are connected and reads the hotspots with their map.
 */
let bc: BrowserContext;
let childId = '';
before(async () => {
  if (!browserAvailable) return;
  bc = await startBrowserContext();
  const ctx = bc.ctx;
  // A child of the social worker's agency linked to "Dean" (the demo's man of concern) and to the takeaway.
  const [row] = await ctx.ownerQuery<{ child: string; dean: string; takeaway: string; partnership: string }>(
    `SELECT c.id AS child, p.id AS dean, x.id AS takeaway, c.partnership_id AS partnership
       FROM children c JOIN agencies a ON a.id = c.owning_agency_id AND a.kind = 'childrens_services'
       JOIN partnerships n ON n.id = c.partnership_id AND n.code = 'northmere'
       JOIN persons_of_concern p ON p.partnership_id = c.partnership_id AND 'Dean' = ANY (p.aliases)
       JOIN intel_locations x ON x.partnership_id = c.partnership_id AND x.name = 'Ferry Road Grill'
      WHERE NOT c.restricted AND c.status = 'open' ORDER BY c.reference LIMIT 1`,
  );
  childId = row!.child;
  await ctx.ownerQuery(
    `INSERT INTO intel_links (partnership_id, from_kind, from_id, to_kind, to_id, relation, source, confidence, first_seen_on)
     VALUES ($1, 'child', $2, 'person', $3, 'seen_with', 'Browser test: return interview', 'high', current_date - 5),
            ($1, 'child', $2, 'location', $4, 'found_at', 'Browser test: patrol', 'medium', current_date - 3)`,
    [row!.partnership, childId, row!.dean, row!.takeaway],
  );
});
after(async () => bc?.close());

describe('the intelligence network in Chromium', { skip: browserAvailable ? false : 'Chromium is not installed (apt-get install chromium)' }, () => {
  test('a practitioner sees the sanitised network of their child', async () => {
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('social-worker.northmere@lantern.example'));
    await page.goto(`${bc.baseUrl}/children/${childId}`);
    await page.getByRole('link', { name: 'See what this child is linked to' }).click();
    await page.getByRole('heading', { name: 'Intelligence links', level: 1 }).waitFor();
    await assertAccessible(page, bc);
    const table = page.getByRole('region', { name: 'Intelligence links' });
    const text = (await table.textContent()) ?? '';
    assert.match(text, /A person of concern \(adult\)/);
    assert.match(text, /A location: Takeaway in Riverside/);
    const body = (await page.content()).replace(/<script[\s\S]*?<\/script>/g, '');
    for (const secret of ['Dean', 'Ferry Road', 'Browser test', 'NM19']) assert.ok(!body.includes(secret), secret);
    assert.equal(await page.getByRole('link', { name: 'See the full network' }).count(), 0, 'no way into the full network');
    await page.close();
  });

  test('the analyst opens a person’s network, looks further, and finds how two children are connected and the hotspots', async () => {
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('analyst.northmere@lantern.example'));
    await page.getByRole('link', { name: 'Intelligence', exact: true }).first().click();
    await page.getByRole('link', { name: 'Known as “Dean”' }).click();
    await page.getByRole('link', { name: 'See the network' }).click();
    await page.getByRole('heading', { name: 'Network of “Dean”', level: 1 }).waitFor();
    // The module draws the interactive picture in place of the server's, from the page's own tables.
    await page.locator('#network-graph canvas').first().waitFor();
    assert.ok(await page.locator('#network-graph').isVisible());
    assert.equal(await page.locator('#network-picture').isVisible(), false);
    await assertAccessible(page, bc);
    const records = page.getByRole('region', { name: 'Linked records' });
    assert.match((await records.textContent()) ?? '', /NM19KXE/);
    assert.match((await records.textContent()) ?? '', /Ferry Road Grill/);

    await page.getByRole('radio', { name: '3 links away' }).check();
    await page.getByRole('button', { name: 'Show network' }).click();
    await page.waitForURL(/hops=3/);
    await page.getByRole('heading', { name: 'Clusters' }).waitFor();
    await assertAccessible(page, bc);

    await page.getByRole('link', { name: 'How are two children connected?' }).click();
    await page.getByLabel('First child’s reference').fill('NM-1004');
    await page.getByLabel('Second child’s reference').fill('nm-1005');
    await page.getByRole('button', { name: 'Find the connection' }).click();
    await page.locator('#path-result').waitFor();
    await assertAccessible(page, bc);
    assert.match((await page.locator('main').textContent()) ?? '', /Links in the chain: \d\./);

    await page.getByRole('link', { name: 'Back to intelligence' }).click();
    await page.getByRole('link', { name: 'Hotspots' }).click();
    await page.getByRole('heading', { name: 'Hotspots', level: 1 }).waitFor();
    await assertAccessible(page, bc);
    assert.ok(await page.locator('.lantern-hotspot-map svg path').first().isVisible(), 'the map from the bundled boundaries');
    const localities = page.getByRole('region', { name: 'Localities' });
    assert.match((await localities.textContent()) ?? '', /Riverside/);
    await page.close();
  });
});
