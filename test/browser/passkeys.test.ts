import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { totpCode } from '../../src/auth/totp.ts';
import { assertAccessible, browserAvailable, startBrowserContext, type BrowserContext } from '../helpers/browser.ts';

// Passkeys and security keys (issue 16 §1) in Chromium, with the DevTools virtual authenticator.
// WebAuthn needs a host name, not an IP address: the pages are opened on localhost.
let bc: BrowserContext;
let base: string;

before(async () => {
  if (!browserAvailable) return;
  bc = await startBrowserContext({ configOverrides: { LANTERN_ADMIN_PASSKEY_REQUIRED: 'true' } });
  base = bc.baseUrl.replace('127.0.0.1', 'localhost');
});
after(async () => bc?.close());

async function withAuthenticator(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
}

async function passwordAndCode(page: Page, email: string, password: string, totpSecret: string | null): Promise<void> {
  bc.ctx.clock.advance(31_000);
  await page.goto(`${base}/sign-in`);
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  await page.locator('main button.govuk-button[type="submit"]').first().click();
  await page.waitForURL('**/sign-in/code');
  if (totpSecret) {
    await page.locator('#code').fill(await totpCode(totpSecret, bc.ctx.clock.now()));
    await page.locator('form[action="/sign-in/code"] button').click();
  }
}

test('an administrator registers a passkey after signing in, then signs in with it alone', { skip: !browserAvailable }, async () => {
  const admin = bc.ctx.account('admin.northmere@lantern.example');
  const page = await bc.newPage();
  await withAuthenticator(page);
  await passwordAndCode(page, admin.email, admin.password, admin.totpSecret);
  // Held at registration: nothing else opens until a passkey is registered.
  await page.waitForURL('**/sign-in/passkey/register');
  await assertAccessible(page, bc);
  await page.goto(`${base}/`);
  await page.waitForURL('**/sign-in/passkey/register');
  await page.locator('#passkey-name').fill('Desk key');
  await page.locator('button[data-passkey-start]').click();
  await page.waitForURL(`${base}/`);
  const rows = await bc.ctx.ownerQuery<{ name: string; n: number }>(
    `SELECT w.name, count(*) OVER ()::int AS n FROM webauthn_credentials w JOIN users u ON u.id = w.user_id WHERE u.email = $1`,
    [admin.email],
  );
  assert.equal(rows[0]?.n, 1);
  assert.equal(rows[0]?.name, 'Desk key');

  // The account page lists it.
  await page.goto(`${base}/account`);
  assert.match(await page.locator('[data-passkeys]').innerText(), /Desk key/);
  await assertAccessible(page, bc);

  // Signed out and in again: the second step is the passkey; the authenticator app is not offered.
  await page.locator('form[action="/sign-out"] button').first().click();
  await passwordAndCode(page, admin.email, admin.password, null);
  assert.equal(await page.locator('#code').count(), 0, 'an administrator with a passkey cannot fall back on a code');
  await assertAccessible(page, bc);
  await page.locator('button[data-passkey-start]').click();
  await page.waitForURL(`${base}/`);
  const used = await bc.ctx.ownerQuery<{ n: number }>(
    `SELECT count(*)::int AS n FROM audit_events WHERE actor_label = $1 AND action = 'sign_in.success' AND details->>'method' = 'passkey'`,
    [admin.email],
  );
  assert.equal(used[0]!.n, 1);
  assert.deepEqual(bc.cspViolations, []);
  await page.close();
});

test('a practitioner adds a security key on the account page and may then use it or the app', { skip: !browserAvailable }, async () => {
  const person = bc.ctx.account('school.northmere@lantern.example');
  const page = await bc.newPage();
  await withAuthenticator(page);
  await passwordAndCode(page, person.email, person.password, person.totpSecret);
  await page.waitForURL(`${base}/`);
  await page.goto(`${base}/account`);
  await page.locator('#passkey-name').fill('Work phone');
  await page.locator('button[data-passkey-start]').click();
  await page.waitForFunction(() => document.querySelector('[data-passkeys]')?.textContent?.includes('Work phone'));
  await page.locator('form[action="/sign-out"] button').first().click();
  await passwordAndCode(page, person.email, person.password, null);
  assert.equal(await page.locator('#code').count(), 1, 'the app is still offered to someone who need not use a passkey');
  await page.locator('button[data-passkey-start]').click();
  await page.waitForURL(`${base}/`);
  await page.close();
});
