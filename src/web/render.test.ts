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

describe('a long select', () => {
  const env = createViewEnvironment({ cache: false });
  const html = env.renderString(
    `{% from "web/views/partials/long-select.njk" import longSelect %}{{ longSelect({ id: 'worker', name: 'worker', label: 'Worker', any: 'Any',
      options: people, valueKey: 'id', textKey: 'name', selected: 'b' }) }}`,
    {
      people: [
        { id: 'a', name: 'Alex <Made> & "Up"' },
        { id: 'b', name: 'Bo Madeup' },
      ],
    },
  );

  test('has a label for the select, the "any" option first, and each option escaped', () => {
    assert.match(html, /<label class="govuk-label" for="worker">\s*Worker\s*<\/label>/);
    assert.match(
      html,
      /<select class="govuk-select" id="worker" name="worker">\s*<option value="">Any<\/option>\s*<option value="a">Alex &lt;Made&gt; &amp; &quot;Up&quot;<\/option>/,
    );
  });

  test('marks the chosen option selected, and only that one', () => {
    assert.match(html, /<option value="b" selected>Bo Madeup<\/option>/);
    assert.equal(html.match(/ selected/g)?.length, 1);
  });
});
