import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig, type Config } from '../config/config.ts';
import { anchorChains, startAnchoring } from '../audit/anchor.ts';
import { AnchorKeyError, anchorKeysFor, publicKeyText, signingKeysFor } from '../audit/anchor-key.ts';
import { verifyAnchors, verifyAuditChain, type AnchorProblem } from '../audit/verify.ts';
import { systemClock } from '../auth/service.ts';
import { totpCode } from '../auth/totp.ts';
import { buildAssets } from '../web/assets/build.ts';
import { buildApp } from '../web/app.ts';
import { openMigrated, secretsKeyFor, startServices } from '../runtime.ts';
import { SecretBox } from '../auth/secrets.ts';
import { formatDemoAccounts, isSeeded, readDemoAccounts, seedDemo, seedScale, writeDemoAccounts } from '../seed/demo.ts';
import { MatchInputError, matchFiles } from '../features/linkage/files.ts';
import { databaseStartupProblem } from './startup-problems.ts';
import { createUserFromCli } from './user-create.ts';
import { disableDormantFromCli, importPeopleFromCli } from './accounts.ts';
import { makeBackup, restoreBackup } from '../backup/backup.ts';
import { BackupRefusal } from '../backup/container.ts';
import { serveBackups } from '../backup/embedded-server.ts';
import { pruneSecurityEvents } from '../security-events.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);

/** What read returns; a refusal of the kind named is one line (after the prefix) and exit 2, as for any configuration problem. */
function orExitOn<T>(refusal: new (...args: never[]) => Error, read: () => T, prefix = ''): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof refusal) {
      process.stderr.write(`${prefix}${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

const config = (): Config => orExitOn(ConfigError, loadConfig);

/** Opens and migrates the database; one line and exit 1, not a stack trace, when it cannot be reached. */
async function openDatabaseOrExit(cfg: Config, log?: (line: string) => void) {
  try {
    return await openMigrated(cfg, log);
  } catch (error) {
    const problem = databaseStartupProblem(error, cfg);
    if (!problem) throw error;
    process.stderr.write(`${problem}\n`);
    process.exit(1);
  }
}

/** The anchor signing key, or exit 2 as for any other configuration problem. */
const signingKeys = (cfg: Config) => orExitOn(AnchorKeyError, () => signingKeysFor(cfg), 'Lantern cannot anchor the audit trail: ');

/** A command's work on the open database: a failure is its message on one line and exit code 1; the database is closed either way. */
async function closingAfter(handle: { close(): Promise<void> }, work: () => Promise<void>): Promise<void> {
  let failed = false;
  try {
    await work();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    failed = true;
  } finally {
    await handle.close();
  }
  // After closing: the embedded database's runtime sets process.exitCode as it shuts down.
  if (failed) process.exitCode = 1;
}

function describeAnchorProblem(p: AnchorProblem, file: string): string {
  switch (p.kind) {
    case 'no_key':
      return `no anchor key to check ${file} with: set LANTERN_AUDIT_ANCHOR_PUBLIC_KEY (or LANTERN_AUDIT_ANCHOR_KEY)`;
    case 'bad_line':
      return `audit anchors BROKEN at line ${p.line} of ${file}: not a well-formed anchor line`;
    case 'wrong_key':
      return `audit anchors BROKEN at line ${p.line} of ${file}: signed with another key`;
    case 'bad_signature':
      return `audit anchors BROKEN at line ${p.line} of ${file}: the signature does not match the line`;
    case 'broken_link':
      return `audit anchors BROKEN at line ${p.line} of ${file}: the line does not follow the line before it (a line was removed, inserted or edited)`;
    case 'anchor_mismatch':
    case 'anchored_row_missing':
      return (
        `audit trail REWRITTEN at chain ${p.chainId}, seq ${p.seq}: ${p.kind === 'anchor_mismatch' ? 'the row’s hash differs from' : 'the row is missing but is in'} the anchor of ${p.at} (line ${p.line} of ${file}); ` +
        (p.lastMatchingSeq === null ? 'no earlier anchor of this chain matches' : `rows up to seq ${p.lastMatchingSeq} still match their anchor`)
      );
    case 'chain_behind_anchor':
      return `audit trail REWRITTEN at chain ${p.chainId}, seq ${p.seq}: the chain now ends at ${p.headSeq ?? 'nothing'}, before the anchor of ${p.at} (line ${p.line} of ${file})`;
  }
}

const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a whole number');
  return n;
};

export async function main(argv: string[]): Promise<void> {
  const program = new Command().name('lantern').description('Lantern: tackling child sexual exploitation together');

  program
    .command('serve')
    .description('run the web server (migrates, and seeds demo data on first start in demo mode)')
    .action(async () => {
      const cfg = config();
      const anchorKeys = signingKeys(cfg);
      const started = Date.now();
      buildAssets(say);
      const handle = await openDatabaseOrExit(cfg, say);
      if (cfg.demo && !(await isSeeded(handle.owner))) {
        say('seeding synthetic demo data…');
        writeDemoAccounts(cfg.dataDir, await seedDemo(handle.owner, new SecretBox(secretsKeyFor(cfg))));
      }
      // Requests and sign-in have their own logins; the owner's connections are not kept open beside them.
      await handle.closeOwner();
      // The embedded database is this process's alone: a lock file, and a socket that gives `lantern backup` a consistent copy.
      const backups = handle.snapshot ? await serveBackups(cfg.dataDir, handle.snapshot, say) : null;
      const services = await startServices(cfg, handle);
      const app = await buildApp(services);
      // Sign the audit chain heads now and every few minutes, outside the database (src/audit/anchor.ts).
      const anchoring = startAnchoring({
        db: handle.db,
        keys: anchorKeys,
        file: cfg.auditAnchor.file,
        intervalMs: cfg.auditAnchor.minutes * 60_000,
        clock: systemClock,
        log: { info: (m) => app.log.info(m), error: (m) => (cfg.logLevel === 'silent' ? process.stderr.write(`${m}\n`) : app.log.error(m)) },
      });
      await anchoring.started;
      // Security events past their retention leave the DPO's alerts hourly (src/security-events.ts).
      const prune = () => pruneSecurityEvents(handle.db).catch((err: unknown) => app.log.error({ err }, 'pruning security events failed'));
      await prune();
      const pruning = setInterval(() => void prune(), 60 * 60_000);
      pruning.unref();
      const shutdown = async () => {
        clearInterval(pruning);
        await anchoring.stop();
        await app.close();
        await backups?.stop();
        await handle.close();
      };
      const close = () => {
        shutdown().then(
          () => process.exit(0),
          (err: unknown) => {
            app.log.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', close);
      process.on('SIGTERM', close);
      await app.listen({ port: cfg.port, host: cfg.host });
      const accounts = cfg.demo ? readDemoAccounts(cfg.dataDir) : null;
      if (accounts) {
        say('\nDemo mode: every person and place is synthetic. Demo accounts (also in ' + `${cfg.dataDir}/demo-accounts.json):`);
        say(formatDemoAccounts(accounts));
        say('Get a sign-in code with: npx lantern totp <TOTP secret>   (or add the secret to an authenticator app)');
      }
      say(`\nLantern is running at http://localhost:${cfg.port} (${handle.kind} database, ready in ${Date.now() - started} ms)`);
    });

  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(async () => {
      const handle = await openDatabaseOrExit(config(), say);
      say('migrations up to date');
      await handle.close();
    });

  program
    .command('seed')
    .description('seed the demo partnerships; --scale N adds N synthetic children with their history for benchmarks')
    .option('--scale <n>', 'number of synthetic children to add', positiveInt, 0)
    .action(async (options: { scale: number }) => {
      const cfg = config();
      const handle = await openDatabaseOrExit(cfg, say);
      if (!(await isSeeded(handle.owner))) {
        const accounts = await seedDemo(handle.owner, new SecretBox(secretsKeyFor(cfg)));
        say(`demo accounts written to ${writeDemoAccounts(cfg.dataDir, accounts)}`);
      }
      if (options.scale > 0) await seedScale(handle.owner, options.scale, say);
      await handle.close();
    });

  const user = program.command('user').description('manage user accounts');
  user
    .command('create')
    .description('create a user; prints a one-time password (the user enrols a second factor at first sign-in)')
    .requiredOption('--email <email>')
    .requiredOption('--name <name>')
    .requiredOption('--partnership <code>', 'partnership code, e.g. northmere')
    .requiredOption('--agency <name>', 'agency name within the partnership')
    .requiredOption('--role <role...>', 'one or more roles')
    .action(async (options: { email: string; name: string; partnership: string; agency: string; role: string[] }) => {
      const handle = await openDatabaseOrExit(config());
      await closingAfter(handle, async () => {
        const password = await createUserFromCli(handle.owner, options);
        say(`created ${options.email}; one-time password: ${password}`);
      });
    });

  // Account lifecycle (issue 16 §1): the dormant-account rule and the joiners and leavers feed, for a nightly job.
  const accounts = program.command('accounts').description('account lifecycle: dormant accounts and the joiners and leavers feed');
  accounts
    .command('disable-dormant')
    .description('disable the accounts still dormant when their notice has ended (as the Dormant accounts page’s button)')
    .requiredOption('--partnership <code>', 'partnership code, e.g. northmere')
    .requiredOption('--as <email>', 'the administrator of the partnership the job acts as (named on every audit row)')
    .action(async (options: { partnership: string; as: string }) => {
      const handle = await openDatabaseOrExit(config());
      await closingAfter(handle, async () => {
        const count = await disableDormantFromCli(handle.owner, systemClock, options);
        say(`${count} dormant accounts disabled`);
      });
    });
  accounts
    .command('import <file>')
    .description('preview a joiners and leavers CSV (as the Joiners and leavers page); with --apply, apply it')
    .requiredOption('--partnership <code>', 'partnership code, e.g. northmere')
    .requiredOption('--as <email>', 'the administrator of the partnership the job acts as (named on every audit row)')
    .option('--apply', 'apply the changes (otherwise only show them)')
    .action(async (file: string, options: { partnership: string; as: string; apply?: boolean }) => {
      const handle = await openDatabaseOrExit(config());
      await closingAfter(handle, async () => {
        const result = await importPeopleFromCli(handle.owner, systemClock, {
          partnership: options.partnership,
          as: options.as,
          file,
          apply: options.apply === true,
        });
        for (const line of result.lines) say(line);
        if (!result.ok) throw new Error('the file was refused');
      });
    });

  program
    .command('backup')
    .description('write an encrypted backup (LANTERN_BACKUP_KEY): the embedded database, consistent while the server runs, or the server’s through pg_dump')
    .requiredOption('--out <file>', 'where to write the backup')
    .action(async (options: { out: string }) => {
      const cfg = config();
      try {
        const made = await makeBackup(cfg, options.out);
        say(`backup of the ${made.kind} database (from ${made.source}) written to ${options.out}: ${made.bytes} bytes, encrypted`);
      } catch (error) {
        process.stderr.write(`backup failed: ${(error as Error).message}\n`);
        process.exitCode = error instanceof BackupRefusal ? error.exitCode : 1;
      }
      // PGlite, once it has loaded a data folder from a tarball, leaves the process waiting with nothing to do.
      process.exit(process.exitCode ?? 0);
    });

  program
    .command('restore <file>')
    .description('restore an encrypted backup into an empty data folder or database; then run `lantern audit verify`')
    .action(async (file: string) => {
      const cfg = config();
      try {
        const restored = await restoreBackup(cfg, file);
        for (const warning of restored.warnings) process.stderr.write(`warning: ${warning}\n`);
        say(
          `restored the ${restored.kind} database backed up at ${restored.created} (migration ${restored.migration ?? 'none'}); check it with: npx lantern audit verify`,
        );
      } catch (error) {
        process.stderr.write(`restore refused: ${(error as Error).message}\n`);
        process.exitCode = error instanceof BackupRefusal ? error.exitCode : 1;
      }
      process.exit(process.exitCode ?? 0);
    });

  const audit = program.command('audit').description('the audit trail');
  audit
    .command('verify')
    .description('check every audit hash chain, and the chains against the signed anchors; exits non-zero at the first problem')
    .option('--require-anchor', 'fail when there is no anchor file (otherwise a warning)')
    .action(async (options: { requireAnchor?: boolean }) => {
      const cfg = config();
      const handle = await openDatabaseOrExit(cfg);
      const result = await verifyAuditChain(handle.owner);
      const anchors = await verifyAnchors(handle.db, anchorKeysFor(cfg, { create: false }), cfg.auditAnchor.file);
      await handle.close();
      if (result.ok) {
        say(`audit trail intact: ${result.rowsChecked} rows in ${result.chains} chain(s)`);
      } else {
        const b = result.firstBreak!;
        process.stderr.write(`audit trail BROKEN at chain ${b.chainId}, seq ${b.seq}${b.id ? ` (row id ${b.id})` : ''}: ${b.problem}\n`);
        process.exitCode = 1;
      }
      if (anchors.status === 'missing') {
        process.stderr.write(
          `${options.requireAnchor ? 'audit anchors MISSING' : 'warning: no audit anchors'}: ${anchors.file} does not exist, so a consistent rewrite of the trail cannot be detected\n`,
        );
        if (options.requireAnchor) process.exitCode = 1;
      } else if (anchors.problem) {
        process.stderr.write(`${describeAnchorProblem(anchors.problem, anchors.file)}\n`);
        process.exitCode = 1;
      } else {
        say(`audit anchors match: ${anchors.lines} signed anchor(s) in ${anchors.file}, ${anchors.pointsChecked} anchored position(s) checked`);
      }
    });
  audit
    .command('anchor')
    .description('sign every audit chain head now and append it to the anchor file (the server does this every few minutes)')
    .action(async () => {
      const cfg = config();
      const keys = signingKeys(cfg);
      const handle = await openDatabaseOrExit(cfg);
      await closingAfter(handle, async () => {
        const outcome = await anchorChains(handle.db, keys, cfg.auditAnchor.file, systemClock);
        if (outcome.written) say(`anchored ${outcome.line.chains.length} chain(s) to ${cfg.auditAnchor.file}`);
        else say(outcome.reason === 'empty' ? 'no audit rows to anchor yet' : `nothing new to anchor since ${outcome.last!.at}`);
      });
    });
  audit
    .command('public-key')
    .description('print the public key that checks the anchors (for LANTERN_AUDIT_ANCHOR_PUBLIC_KEY where audits are verified)')
    .action(() => {
      const keys = anchorKeysFor(config(), { create: true });
      if (!keys) {
        process.stderr.write('no anchor key is configured\n');
        process.exitCode = 1;
        return;
      }
      say(publicKeyText(keys.verifying));
    });

  program
    .command('build-assets')
    .description('compile the stylesheet and copy scripts')
    .action(() => buildAssets(say));

  program
    .command('totp <secret>')
    .description('print the current sign-in code for a demo TOTP secret')
    .action(async (secret: string) => {
      say(await totpCode(secret, new Date()));
    });

  program
    .command('match')
    .description('find the same person twice: deduplicate one CSV file, or link two (docs/LINKAGE.md)')
    .argument('<left>', 'CSV file with a header row')
    .argument('[right]', 'a second CSV file to link the first to')
    .requiredOption('--settings <file>', 'the linkage settings (JSON; examples/linkage/febrl.json)')
    .requiredOption('--out <file>', 'where to write the pairs (CSV: left_id, right_id, match_probability, match_weight)')
    .option('--encoded', 'the files are encodings written by lantern encode (docs/LINKAGE.md, "Across partnerships")')
    .action(async (left: string, right: string | undefined, options: { settings: string; out: string; encoded?: boolean }) => {
      if (options.encoded) {
        const { matchEncodedFiles } = await import('../features/linkage/encoded/files.ts');
        const run = orExitOn(MatchInputError, () => matchEncodedFiles(options.settings, left, right, options.out));
        const [nLeft, nRight] = run.records;
        say(
          `${nRight === null ? `${nLeft} encoded records deduplicated` : `${nLeft} encoded records linked to ${nRight}`}: ` +
            `${run.result.candidates} candidate pairs, ${run.result.pairs.length} at or above the threshold written to ${options.out} (${Math.round(run.milliseconds)} ms)`,
        );
        return;
      }
      const run = orExitOn(MatchInputError, () => matchFiles(options.settings, left, right, options.out));
      const [nLeft, nRight] = run.records;
      const records = nRight === null ? `${nLeft} records deduplicated` : `${nLeft} records linked to ${nRight}`;
      say(
        `${records}: ${run.result.candidates} candidate pairs, ${run.result.pairs.length} at or above the threshold written to ${options.out} ` +
          `(prior ${run.result.lambda.toPrecision(3)} after ${run.result.iterations} EM iterations; ${Math.round(run.milliseconds)} ms)`,
      );
    });

  program
    .command('encode')
    .description('encode records as keyed Bloom filters for linkage without plaintext (docs/LINKAGE.md, "Across partnerships")')
    .argument('<file>', 'CSV file with a header row')
    .requiredOption('--settings <file>', 'the linkage settings with an encoding section (examples/linkage/febrl-encoded.json)')
    .requiredOption('--key-file <file>', 'the shared secret (at least 32 bytes; never printed)')
    .requiredOption('--out <file>', 'where to write the encodings (CSV: the id column and the encoding in base64)')
    .action(async (file: string, options: { settings: string; keyFile: string; out: string }) => {
      const { encodeFile } = await import('../features/linkage/encoded/files.ts');
      const run = orExitOn(MatchInputError, () => encodeFile(options.settings, options.keyFile, file, options.out));
      say(`${run.records} records encoded (${run.bits} bits each) to ${options.out} (${Math.round(run.milliseconds)} ms)`);
    });

  program
    .command('bench')
    .description('seed a given scale and measure page latency at concurrency (see docs/PERFORMANCE.md)')
    .option('--scale <n>', 'synthetic children', positiveInt, 20_000)
    .option('--connections <n>', 'concurrent clients', positiveInt, 32)
    .option('--seconds <n>', 'seconds per page', positiveInt, 10)
    .option('--pages <text>', 'only the pages whose name contains this text (several: separated by |)')
    .option('--tag <name>', "keep this run's data apart (database lantern_bench_<scale>_<name>)", (v: string) => {
      if (!/^[a-z0-9_]{1,20}$/.test(v)) throw new InvalidArgumentError('lower-case letters, digits and _ only');
      return v;
    })
    .action(async (options: { scale: number; connections: number; seconds: number; pages?: string; tag?: string }) => {
      const { runBenchmarks } = await import('../../bench/run.ts');
      await runBenchmarks(options, say);
    });

  program
    .command('bench-linkage')
    .description('deduplicate N synthetic people in memory: time per phase, peak memory, precision and recall (docs/PERFORMANCE.md)')
    .option('--records <n>', 'synthetic records, duplicates included', positiveInt, 100_000)
    .option('--settings <file>', 'the linkage settings (default examples/linkage/synthetic-uk.json)')
    .option('--seed <n>', 'seed of the generator', positiveInt, 1)
    .action(async (options: { records: number; settings?: string; seed: number }) => {
      const { runLinkageBench } = await import('../../bench/linkage.ts');
      orExitOn(MatchInputError, () => runLinkageBench(options, say));
    });

  program
    .command('bench-linkage-live')
    .description('match new children at entry against the page benchmark database (seed it with bench --scale N): latency and the plan (docs/LINKAGE.md)')
    .option('--scale <n>', 'the benchmark database of this many children', positiveInt, 20_000)
    .option('--tag <name>', 'the tagged benchmark database (lantern_bench_<scale>_<name>)')
    .option('--probes <n>', 'new children to match', positiveInt, 200)
    .action(async (options: { scale: number; tag?: string; probes: number }) => {
      const { runLiveLinkageBench } = await import('../../bench/linkage-live.ts');
      await runLiveLinkageBench(options, say);
    });

  await program.parseAsync(argv);
}
