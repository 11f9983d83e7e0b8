import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseLanguage, fromAcceptLanguage, offered, switchHref } from './language.ts';

const welshPartnership = { defaultLanguage: 'cy' as const, offersWelsh: true };
const englishOnly = { defaultLanguage: 'en' as const, offersWelsh: false };

test('a page’s language: the person’s choice, then the partnership’s default, then the browser’s, then English', () => {
  const none = { cookie: undefined, saved: null, partnership: undefined, browser: null };
  assert.equal(chooseLanguage(none), 'en');
  assert.equal(chooseLanguage({ ...none, browser: 'cy' }), 'cy');
  assert.equal(chooseLanguage({ ...none, partnership: welshPartnership, browser: 'en' }), 'cy', 'the partnership’s default before the browser');
  assert.equal(chooseLanguage({ ...none, saved: 'en', partnership: welshPartnership }), 'en', 'a saved choice before the default');
  assert.equal(chooseLanguage({ ...none, cookie: 'cy', saved: 'en' }), 'cy', 'the cookie (this browser’s choice) first');
  assert.equal(chooseLanguage({ ...none, cookie: 'fr', browser: 'cy' }), 'cy', 'a cookie that names no language is ignored');
});

test('Welsh is never chosen where the partnership does not offer it', () => {
  assert.equal(chooseLanguage({ cookie: 'cy', saved: 'cy', partnership: englishOnly, browser: 'cy' }), 'en');
  assert.equal(offered({ partnershipLanguages: englishOnly }, 'cy'), false);
  assert.equal(offered({ partnershipLanguages: englishOnly }, 'en'), true);
  assert.equal(offered(undefined, 'cy'), true, 'signed out, Welsh is always offered');
});

test('Accept-Language: the first of Lantern’s languages by weight, then order', () => {
  assert.equal(fromAcceptLanguage('cy-GB, cy;q=0.9, en;q=0.5'), 'cy');
  assert.equal(fromAcceptLanguage('en-GB,cy;q=0.8'), 'en');
  assert.equal(fromAcceptLanguage('fr, cy;q=0.1'), 'cy');
  assert.equal(fromAcceptLanguage('en;q=0, cy;q=0.2'), 'cy', 'q=0 means not wanted');
  assert.equal(fromAcceptLanguage('de, fr'), null);
  assert.equal(fromAcceptLanguage(undefined), null);
});

test('the switch link keeps the page and its query, with lang set once', () => {
  assert.equal(switchHref('/children?flag=missing&lang=en', 'cy'), '/children?flag=missing&lang=cy');
  assert.equal(switchHref('/', 'en'), '/?lang=en');
});
