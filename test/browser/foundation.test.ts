import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { totpCode } from '../../src/auth/totp.ts';
import { assertAccessible, browserAvailable, signInWithBrowser, startBrowserContext, type BrowserContext } from '../helpers/browser.ts';

let bc: BrowserContext;
before(async () => {
  if (browserAvailable) bc = await startBrowserContext();
});
after(async () => bc?.close());

describe('foundation journeys in Chromium', { skip: browserAvailable ? false : 'Chromium is not installed (apt-get install chromium)' }, () => {
  test('an administrator signs in, adds an agency and a person, and the new person enrols a second factor', async () => {
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('admin.northmere@lantern.example'));
    await assertAccessible(page, bc);
    await assert.doesNotReject(page.getByRole('heading', { name: /Hello/ }).waitFor());

    await page.getByRole('link', { name: 'Agencies' }).first().click();
    await assertAccessible(page, bc);
    await page.getByRole('button', { name: 'Add an agency' }).click();
    await assertAccessible(page, bc);
    assert.ok(await page.getByRole('link', { name: 'Enter a name' }).isVisible(), 'error summary links to the field');
    await page.getByLabel('Name').fill('Northmere Housing Options');
    await page.getByLabel('Kind of agency').selectOption({ label: 'Voluntary sector' });
    await page.getByRole('button', { name: 'Add an agency' }).click();
    await page.getByRole('cell', { name: 'Northmere Housing Options', exact: true }).waitFor();

    await page.getByRole('link', { name: 'People' }).first().click();
    await assertAccessible(page, bc);
    await page.getByRole('button', { name: 'Add a person' }).click();
    await assertAccessible(page, bc);
    await page.getByLabel('Name').fill('Alex Testperson');
    await page.getByLabel('Email address').fill('alex.testperson@lantern.example');
    await page.getByLabel('Agency').selectOption({ label: 'Northmere Housing Options' });
    await page.getByLabel('Practitioner', { exact: true }).check();
    await page.getByRole('button', { name: 'Save' }).click();
    // Post/redirect/get: the one-time password is shown on the page the save leads to.
    await page.waitForURL('**/admin/users/created');
    await assertAccessible(page, bc);
    const initialPassword = (await page.locator('#initial-password').textContent())!.trim();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/signed-out');
    await assertAccessible(page, bc);

    // The new person signs in and sets up an authenticator app.
    bc.ctx.clock.advance(31_000);
    await page.goto(`${bc.baseUrl}/sign-in`);
    await page.getByLabel('Email address').fill('alex.testperson@lantern.example');
    await page.getByLabel('Password', { exact: true }).fill(initialPassword);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL('**/sign-in/enrol');
    await assertAccessible(page, bc);
    const secret = (await page.locator('#totp-secret').textContent())!.replace(/\s/g, '');
    await page.getByLabel('Code from your app').fill(await totpCode(secret, bc.ctx.clock.now()));
    await page.getByRole('button', { name: 'Confirm and sign in' }).click();
    // An administrator's one-time password is changed before anything else.
    await page.waitForURL('**/account/password');
    await assertAccessible(page, bc);
    bc.ctx.clock.advance(31_000);
    await page.getByLabel('Current password').fill(initialPassword);
    await page.getByLabel('New password', { exact: true }).fill('the heron waits by the weir');
    await page.getByLabel('Type the new password again').fill('the heron waits by the weir');
    await page.getByLabel('Code from your authenticator app').fill(await totpCode(secret, bc.ctx.clock.now()));
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.waitForURL(`${bc.baseUrl}/`);
    await assertAccessible(page, bc);
    // Their account page: details and where they are signed in.
    await page.getByRole('link', { name: /Alex/ }).first().click();
    await page.waitForURL('**/account');
    await assertAccessible(page, bc);
    assert.match((await page.textContent('body')) ?? '', /Practitioner/);
    assert.match((await page.textContent('body')) ?? '', /This session/);
    await page.close();
  });

  test('a data protection officer reads the audit trail; public pages and errors are accessible', async () => {
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('dpo.northmere@lantern.example'));
    await page.getByRole('link', { name: 'Audit' }).first().click();
    await assertAccessible(page, bc);
    await page.getByLabel('Action').fill('sign_in');
    await page.getByRole('button', { name: 'Filter' }).click();
    await assertAccessible(page, bc);
    assert.ok(await page.getByRole('cell', { name: 'Signed in' }).first().isVisible());
    // The person is typed as an email but the page's address names them by id.
    await page.getByLabel('Who').fill('dpo.northmere@lantern.example');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/actor=/);
    assert.doesNotMatch(page.url(), /@|%40/);
    assert.ok(await page.getByRole('cell', { name: 'dpo.northmere@lantern.example' }).first().isVisible());
    await assertAccessible(page, bc);
    await page.getByRole('link', { name: /Roles granted/ }).click();
    await page.getByRole('heading', { name: 'Roles granted' }).waitFor();
    await assertAccessible(page, bc);
    for (const path of ['/privacy', '/accessibility', '/no-such-page', '/admin/users']) {
      await page.goto(`${bc.baseUrl}${path}`);
      await assertAccessible(page, bc);
    }
    assert.match((await page.textContent('body')) ?? '', /LANTERN_E_FORBIDDEN/);
    await page.close();
  });

  test('a co-ordinator with a sharing agreement switches to the neighbouring partnership', async () => {
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('coordinator.westbrook@lantern.example'));
    await page.getByLabel('Partnership').selectOption({ label: 'Northmere Safeguarding Children Partnership' });
    await page.getByRole('button', { name: 'Switch' }).click();
    await page.getByText('You are working in Northmere Safeguarding Children Partnership').waitFor();
    await assertAccessible(page, bc);
    await page.close();
  });
});
