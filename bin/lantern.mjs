#!/usr/bin/env node
// Lantern's single entry point: web server, migrations, seeding, audit verification, benchmarks.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
