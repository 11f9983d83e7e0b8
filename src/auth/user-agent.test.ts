import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summariseUserAgent } from './user-agent.ts';

test('user agents are summarised to a known browser and system, or nothing', () => {
  const chrome = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
  assert.deepEqual(summariseUserAgent(chrome), { browser: 'Chrome', system: 'Windows' });
  const edge = `${chrome} Edg/120.0.0.0`;
  assert.deepEqual(summariseUserAgent(edge), { browser: 'Edge', system: 'Windows' });
  const safari = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
  assert.deepEqual(summariseUserAgent(safari), { browser: 'Safari', system: 'iOS' });
  const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0';
  assert.deepEqual(summariseUserAgent(firefox), { browser: 'Firefox', system: 'Linux' });
  assert.deepEqual(summariseUserAgent('<script>alert(1)</script>'), { browser: null, system: null });
  assert.equal(summariseUserAgent(null), null);
  assert.equal(summariseUserAgent(''), null);
});
