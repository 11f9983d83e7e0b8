import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as sass from 'sass';
import { buildDir } from '../app.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const root = path.join(here, '..', '..', '..');

/** Compiles Lantern's stylesheet and copies its scripts into public/build. Skips work already done. */
export function buildAssets(log: (line: string) => void = () => {}): void {
  fs.mkdirSync(buildDir, { recursive: true });
  const sources = ['lantern.scss', 'lantern.js', 'lantern.svg', 'network.js', 'passkeys.js'].map((f) => path.join(here, f));
  const govukJs = require.resolve('govuk-frontend/dist/govuk/govuk-frontend.min.js');
  // The network page's interactive picture (a module of its own, loaded on that page only).
  const cytoscapeJs = path.join(path.dirname(require.resolve('cytoscape')), 'cytoscape.esm.min.mjs');
  const newest = Math.max(...[...sources, govukJs, cytoscapeJs].map((f) => fs.statSync(f).mtimeMs));
  const cssOut = path.join(buildDir, 'lantern.css');
  if (fs.existsSync(cssOut) && fs.statSync(cssOut).mtimeMs >= newest) return;

  const css = sass.compile(path.join(here, 'lantern.scss'), {
    loadPaths: [path.join(root, 'node_modules')],
    style: 'compressed',
    quietDeps: true,
    silenceDeprecations: ['import'],
  }).css;
  fs.writeFileSync(cssOut, css);
  fs.copyFileSync(path.join(here, 'lantern.js'), path.join(buildDir, 'lantern.js'));
  fs.copyFileSync(path.join(here, 'lantern.svg'), path.join(buildDir, 'lantern.svg'));
  fs.copyFileSync(govukJs, path.join(buildDir, 'govuk-frontend.min.js'));
  fs.copyFileSync(path.join(here, 'network.js'), path.join(buildDir, 'network.js'));
  fs.copyFileSync(path.join(here, 'passkeys.js'), path.join(buildDir, 'passkeys.js'));
  fs.copyFileSync(cytoscapeJs, path.join(buildDir, 'cytoscape.esm.min.mjs'));
  log(`assets built in ${path.relative(root, buildDir)}`);
}
