/**
 * How long Nunjucks takes to render the pages with long repeated rows, from synthetic data
 * (test/helpers/view-fixtures.ts), with the app's own environment (src/web/render.ts, templates cached).
 *
 *   node --import tsx bench/render.ts [--rows 50,200,1000] [--ms 1500] [--rounds 15] [--only plan,users]
 *   node --import tsx bench/render.ts --compare /path/to/other/checkout
 *
 * --compare renders every case with that checkout's templates too (its own src/web/render.ts),
 * alternating the two in short rounds so both see the same load on a shared machine. Time is the
 * process's CPU time (process.cpuUsage), which other processes on the machine disturb far less than
 * the wall clock. Reported per case: CPU milliseconds per render in the fastest round and, after a
 * slash, in the median round; and the page's size.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type nunjucks from 'nunjucks';
import { createViewEnvironment } from '../src/web/render.ts';
import { initI18n, translator } from '../src/i18n/i18n.ts';
import { pageContext, viewCases } from '../test/helpers/view-fixtures.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '50,200,1000' },
    ms: { type: 'string', default: '1500' },
    only: { type: 'string' },
    compare: { type: 'string' },
    rounds: { type: 'string', default: '15' },
  },
});
const rowCounts = values.rows.split(',').map(Number);
const budget = Number(values.ms);
const only = values.only?.split(',');

await initI18n();
const t = translator('en');
const here = createViewEnvironment({ cache: true });
let other: nunjucks.Environment | undefined;
if (values.compare) {
  const module = (await import(pathToFileURL(path.resolve(values.compare, 'src/web/render.ts')).href)) as {
    createViewEnvironment: typeof createViewEnvironment;
  };
  other = module.createViewEnvironment({ cache: true });
}

/** Milliseconds of this process's CPU per render (user + system), over about `ms` of wall time. */
function round(render: () => string, ms: number): number {
  let count = 0;
  const start = performance.now();
  const cpu = process.cpuUsage();
  do {
    render();
    count += 1;
  } while (performance.now() - start < ms);
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / 1000 / count;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const cases = viewCases.filter((c) => !only || only.some((o) => c.name.includes(o) || c.template.includes(o)));
const rounds = Number(values.rounds);

console.log(`node ${process.version}; ${rounds} rounds of ${Math.round(budget / rounds)} ms per case${other ? ' and checkout' : ''}`);
console.log(['page', 'template', 'rows', other ? 'other ms' : '', 'ms', 'KB'].filter(Boolean).join('\t'));
for (const view of cases) {
  for (const rows of rowCounts) {
    // The data is made once: only rendering is timed.
    const context = { ...pageContext(t, true, '/'), ...view.context(rows, true) };
    const renderWith = (env: nunjucks.Environment) => () => env.render(view.template, context);
    const envs = other ? [other, here] : [here];
    const results: number[][] = envs.map(() => []);
    for (const env of envs) round(renderWith(env), 150); // warm: compile, JIT
    for (let r = 0; r < rounds; r += 1) envs.forEach((env, k) => results[k]!.push(round(renderWith(env), budget / rounds)));
    const size = renderWith(here)().length / 1024;
    console.log(
      [
        view.name,
        view.template.replace(/^features\//, ''),
        rows,
        ...results.map((x) => `${Math.min(...x).toFixed(2)} / ${median(x).toFixed(2)}`),
        size.toFixed(0),
      ].join('\t'),
    );
  }
}
