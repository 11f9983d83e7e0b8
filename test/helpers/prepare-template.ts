// Builds the template every test file clones: migrated, with the demo seed. On a server it is a
// template database; embedded, it is a dump of a PGlite data folder.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../src/config/config.ts';
import { openEmbedded } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { openMigrated } from '../../src/runtime.ts';
import { seedDemo } from '../../src/seed/demo.ts';
import { buildAssets } from '../../src/web/assets/build.ts';
import { SecretBox } from '../../src/auth/secrets.ts';
import { testSecretsKey } from './context.ts';

const work = process.argv[2]!;
buildAssets();

if (process.env.DATABASE_URL) {
  const url = new URL(process.env.DATABASE_URL);
  // Names carry their creation time so a run removes only what interrupted runs left long ago,
  // never the databases of a run going on beside it.
  const now = Math.floor(Date.now() / 1000);
  const template = `lantern_tpl_${now}_${process.pid}`;
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  // Old templates and clones from interrupted runs are removed so the server does not fill up.
  const stale = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname ~ '^lantern_(tpl|t)_[0-9]+_'`);
  for (const row of stale.rows.filter((r) => now - Number(r.datname.split('_')[2]) > 3 * 3600)) {
    await admin.query(`UPDATE pg_database SET datistemplate = false WHERE datname = $1`, [row.datname]);
    await admin.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
  }
  await admin.query(`CREATE DATABASE ${template}`);
  const templateUrl = new URL(url);
  templateUrl.pathname = `/${template}`;
  const handle = await openMigrated(loadConfig({ ...process.env, DATABASE_URL: templateUrl.toString() }));
  const accounts = await seedDemo(handle.owner, new SecretBox(testSecretsKey()));
  await handle.close();
  await admin.query(`UPDATE pg_database SET datistemplate = true WHERE datname = $1`, [template]);
  await admin.end();
  fs.writeFileSync(path.join(work, 'template.json'), JSON.stringify({ kind: 'server', template, adminUrl: url.toString(), accounts }));
} else {
  const handle = await openEmbedded();
  await migrate(handle);
  const accounts = await seedDemo(handle.owner, new SecretBox(testSecretsKey()));
  const dump = await handle.dump!();
  fs.writeFileSync(path.join(work, 'template.tar'), Buffer.from(await dump.arrayBuffer()));
  await handle.close();
  fs.writeFileSync(path.join(work, 'template.json'), JSON.stringify({ kind: 'embedded', dump: path.join(work, 'template.tar'), accounts }));
}
