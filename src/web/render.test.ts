import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import nunjucks from 'nunjucks';
import { createViewEnvironment } from './render.ts';

describe('the trim filter', () => {
  const env = createViewEnvironment({ cache: false });
  const nunjucksTrim = (value: string) => value.replace(/^\s*|\s*$/g, '');
  const render = (value: unknown) => env.renderString('{{ value | trim }}', { value });

  test('trims as Nunjucks does, every kind of white space included', () => {
    for (const value of ['', '   ', ' a ', '\n\t<p>x</p>\n  ', '\u00a0a\u2028', '\ufeffb\u3000', 'a  b', '  \r\n']) {
      assert.equal(env.getFilter('trim')(value), nunjucksTrim(value), JSON.stringify(value));
    }
  });

  test('a safe string stays safe and an unsafe one is escaped', () => {
    assert.equal(render(new nunjucks.runtime.SafeString('  <b>x</b>  ')), '<b>x</b>');
    assert.equal(render('  <b>x</b>  '), '&lt;b&gt;x&lt;/b&gt;');
  });
});
