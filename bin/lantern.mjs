#!/usr/bin/env node
// Lantern's single entry point: web server, migrations, seeding, audit verification, benchmarks.
// npm scripts and npx run it on the Node.js that package.json pins (node_modules/.bin/node); started
// by an older Node (a machine's own, say), it stops here instead of failing later inside a dependency.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  console.error(
    `Lantern needs Node.js 22.13 or later (24 is the one it is tested on); this is ${process.version}.\n` +
      'Run it through npm (npm start, npx lantern …), which uses the Node.js installed in node_modules.',
  );
  process.exit(1);
}

const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
