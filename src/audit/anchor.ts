import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Clock } from '../auth/service.ts';
import type { Database } from '../db/database.ts';
import type { Tx } from '../db/context.ts';
import type { AnchorKeys } from './anchor-key.ts';

/**
 * Anchors: the audit chains' heads, signed with a key the database does not hold, appended to a
 * file outside the database (docs/SECURITY.md, "Audit and logging"). The hash chain shows an edit
 * by anyone who cannot recompute the later hashes; the database owner can, so each anchor pins
 * every chain's (seq, hash) at a moment, and `lantern audit verify` checks the rows there still
 * carry those hashes. Each line also signs the previous line's signature, so the file is itself
 * a chain: an edited, inserted or removed line (other than the last ones) breaks it.
 */

export interface ChainPoint {
  chain_id: string;
  seq: number;
  hash: string;
}

/** One line of the anchor file (JSON). */
export interface AnchorLine {
  v: 1;
  /** When the heads were read (UTC, ISO 8601). */
  at: string;
  /** The signing key's fingerprint (src/audit/anchor-key.ts). */
  key: string;
  /** The previous line's signature; null on the first line. */
  prev: string | null;
  /** Every chain's head, by chain_id. */
  chains: ChainPoint[];
  /** Ed25519 over canonicalAnchorText(line), base64url. */
  sig: string;
}

const lineSchema = z
  .object({
    v: z.literal(1),
    at: z.string().datetime(),
    key: z.string().regex(/^[0-9a-f]{16}$/),
    prev: z
      .string()
      .regex(/^[A-Za-z0-9_-]{86}$/)
      .nullable(),
    chains: z.array(
      z
        .object({
          chain_id: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
          seq: z.number().int().positive(),
          hash: z.string().regex(/^[0-9a-f]{64}$/),
        })
        .strict(),
    ),
    sig: z.string().regex(/^[A-Za-z0-9_-]{86}$/),
  })
  .strict()
  .refine((l) => l.chains.every((c, i) => i === 0 || l.chains[i - 1]!.chain_id < c.chain_id), 'chains sorted and unique');

/** The exact bytes signed: every field but the signature, one per line, chains in order. */
export function canonicalAnchorText(line: Omit<AnchorLine, 'sig'>): string {
  return [
    'lantern audit anchor v1',
    `at ${line.at}`,
    `key ${line.key}`,
    `prev ${line.prev ?? '-'}`,
    ...line.chains.map((c) => `chain ${c.chain_id} ${c.seq} ${c.hash}`),
  ].join('\n');
}

/** The line, or null when the text is not a well-formed anchor line. */
export function parseAnchorLine(text: string): AnchorLine | null {
  try {
    const parsed = lineSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function anchorSignatureValid(line: AnchorLine, keys: Pick<AnchorKeys, 'verifying'>): boolean {
  return crypto.verify(null, Buffer.from(canonicalAnchorText(line), 'utf8'), keys.verifying, Buffer.from(line.sig, 'base64url'));
}

export class AnchorError extends Error {}

/** The file's last line (without its newline), null when the file is missing or empty. */
export async function readLastAnchorLine(file: string): Promise<string | null> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return null;
    // Read back from the end until the newline before the last line (lines hold one point per chain).
    const chunks: Buffer[] = [];
    let position = size;
    for (;;) {
      const length = Math.min(65_536, position);
      position -= length;
      const chunk = Buffer.alloc(length);
      await handle.read(chunk, 0, length, position);
      chunks.unshift(chunk);
      const text = Buffer.concat(chunks);
      const body = text[text.length - 1] === 0x0a ? text.subarray(0, text.length - 1) : text;
      const start = body.lastIndexOf(0x0a);
      if (start >= 0 || position === 0) return body.subarray(start + 1).toString('utf8');
    }
  } finally {
    await handle.close();
  }
}

/** Each point's stored hash now (null when the row is gone), through the narrow SQL function. */
export async function storedHashes(db: Database | Tx, points: readonly Pick<ChainPoint, 'chain_id' | 'seq'>[]): Promise<(string | null)[]> {
  if (points.length === 0) return [];
  const input = JSON.stringify(points.map((p, i) => ({ i, chain_id: p.chain_id, seq: p.seq })));
  const rows = (
    await sql<{ i: number; hash: string | null }>`
      SELECT p.i, lantern_audit_hash_at(p.chain_id, p.seq) AS hash
      FROM jsonb_to_recordset(${input}::jsonb) AS p(i int, chain_id uuid, seq bigint) ORDER BY p.i`.execute(db)
  ).rows;
  return rows.map((r) => r.hash);
}

/** Every chain's head now, through the narrow SQL function. */
export async function chainHeads(db: Database | Tx): Promise<ChainPoint[]> {
  const rows = (await sql<{ chain_id: string; seq: string; hash: string }>`SELECT chain_id, seq::text AS seq, hash FROM lantern_audit_heads()`.execute(db))
    .rows;
  return rows.map((r) => ({ chain_id: r.chain_id, seq: Number(r.seq), hash: r.hash })).sort((a, b) => (a.chain_id < b.chain_id ? -1 : 1));
}

const samePoints = (a: ChainPoint[], b: ChainPoint[]) =>
  a.length === b.length && a.every((p, i) => p.chain_id === b[i]!.chain_id && p.seq === b[i]!.seq && p.hash === b[i]!.hash);

// Serialises anchoring between processes that share the database (and so, normally, the file).
const anchorLockId = 7261010;

export type AnchorOutcome = { written: true; line: AnchorLine } | { written: false; reason: 'unchanged' | 'empty'; last: AnchorLine | null };

/**
 * Appends one signed line with every chain's head, unless nothing changed since the last line.
 * Runs as lantern_app (no grant on the audit tables: two SECURITY DEFINER functions). Before signing
 * it checks the last line's signature and that the database still holds what that line anchored,
 * and refuses (AnchorError) otherwise, so a rewrite is never signed over.
 */
export async function anchorChains(db: Database, keys: AnchorKeys & { signing: crypto.KeyObject }, file: string, clock: Clock): Promise<AnchorOutcome> {
  return db.transaction().execute(async (tx) => {
    await sql`SELECT set_config('role', 'lantern_app', true)`.execute(tx);
    await sql`SELECT pg_advisory_xact_lock(${anchorLockId})`.execute(tx);
    const heads = await chainHeads(tx);

    const lastText = await readLastAnchorLine(file);
    const last = lastText === null ? null : parseAnchorLine(lastText);
    if (lastText !== null) {
      if (!last) throw new AnchorError(`the last line of ${file} is not an anchor line; not anchoring until the file is checked (lantern audit verify)`);
      if (last.key !== keys.fingerprint || !anchorSignatureValid(last, keys)) {
        throw new AnchorError(`the last line of ${file} is not signed with this anchor key; not anchoring until the file is checked (lantern audit verify)`);
      }
      const now = await storedHashes(tx, last.chains);
      for (const [i, point] of last.chains.entries()) {
        const head = heads.find((h) => h.chain_id === point.chain_id);
        if (now[i] !== point.hash || !head || head.seq < point.seq) {
          throw new AnchorError(
            `audit chain ${point.chain_id} no longer matches the anchor of ${last.at} at seq ${point.seq}; not anchoring over it (lantern audit verify)`,
          );
        }
      }
      if (samePoints(last.chains, heads)) return { written: false, reason: 'unchanged', last };
    } else if (heads.length === 0) {
      return { written: false, reason: 'empty', last: null };
    }

    const unsigned = { v: 1 as const, at: clock.now().toISOString(), key: keys.fingerprint, prev: last?.sig ?? null, chains: heads };
    const line: AnchorLine = { ...unsigned, sig: crypto.sign(null, Buffer.from(canonicalAnchorText(unsigned), 'utf8'), keys.signing).toString('base64url') };
    await appendLine(file, `${JSON.stringify(line)}\n`);
    return { written: true, line };
  });
}

/** One write in append mode, then fsync (and of the folder when the file is new). */
async function appendLine(file: string, text: string): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const isNew = !fs.existsSync(file);
  const handle = await fs.promises.open(file, 'a', 0o644);
  try {
    await handle.write(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (isNew) {
    const dir = await fs.promises.open(path.dirname(file), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}

export interface Anchoring {
  /** Settles when the start-up anchoring has run (its failure is logged, not thrown). */
  started: Promise<void>;
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * The server's anchoring: once now, then every intervalMs on an unref'd timer (it never keeps the
 * process alive). Runs never overlap; a failure is logged and the next run tries again.
 */
export function startAnchoring(options: {
  db: Database;
  keys: AnchorKeys & { signing: crypto.KeyObject };
  file: string;
  intervalMs: number;
  clock: Clock;
  log: { info(message: string): void; error(message: string): void };
}): Anchoring {
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  const run = () => {
    if (busy) return running;
    busy = true;
    running = anchorChains(options.db, options.keys, options.file, options.clock)
      .then((outcome) => {
        if (outcome.written) options.log.info(`audit anchored: ${outcome.line.chains.length} chain(s) to ${options.file}`);
      })
      .catch((error: unknown) => options.log.error(`audit anchoring failed: ${(error as Error).message}`))
      .finally(() => {
        busy = false;
      });
    return running;
  };
  const started = run();
  const timer = setInterval(() => void run(), options.intervalMs);
  timer.unref();
  return {
    started,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
