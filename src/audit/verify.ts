import crypto from 'node:crypto';
import fs from 'node:fs';
import readline from 'node:readline';
import { sql } from 'kysely';
import type { Database } from '../db/database.ts';
import { anchorSignatureValid, chainHeads, parseAnchorLine, storedHashes, type ChainPoint } from './anchor.ts';
import type { AnchorKeys } from './anchor-key.ts';

export interface ChainBreak {
  chainId: string;
  seq: number;
  id: number | null;
  problem: 'hash_mismatch' | 'broken_link' | 'missing_rows' | 'head_mismatch';
}

export interface VerifyResult {
  ok: boolean;
  rowsChecked: number;
  chains: number;
  firstBreak: ChainBreak | null;
}

/**
 * Recomputes every audit chain from its first row. Edits show as hash mismatches, deletions as
 * gaps in seq or broken links, reordering as broken links, and a deleted tail as a head mismatch.
 * Runs as the owner (the CLI), streaming in pages so a national-size trail fits in memory.
 */
export async function verifyAuditChain(db: Database, pageSize = 5000): Promise<VerifyResult> {
  const heads = (
    await sql<{ chain_id: string; seq: string; hash: string }>`SELECT chain_id, seq::text AS seq, hash FROM audit_chain_heads ORDER BY chain_id`.execute(db)
  ).rows;
  const chainIds = new Set(heads.map((h) => h.chain_id));
  const orphanChains = (await sql<{ chain_id: string }>`SELECT DISTINCT chain_id FROM audit_events`.execute(db)).rows;
  for (const c of orphanChains) chainIds.add(c.chain_id);

  let rowsChecked = 0;
  for (const chainId of [...chainIds].sort()) {
    let expectedSeq = 1;
    let prevHash = '0'.repeat(64);
    let lastSeq = 0;
    for (;;) {
      const page = (
        await sql<{ id: string; seq: string; prev_hash: string; hash: string; payload: string }>`
          SELECT id::text AS id, seq::text AS seq, prev_hash, hash, lantern_audit_payload(a) AS payload
          FROM audit_events a WHERE a.chain_id = ${chainId} AND a.seq >= ${expectedSeq}
          ORDER BY a.seq LIMIT ${pageSize}`.execute(db)
      ).rows;
      if (page.length === 0) break;
      for (const row of page) {
        const seq = Number(row.seq);
        const at = { chainId, seq, id: Number(row.id) };
        if (seq !== expectedSeq) return fail({ ...at, seq: expectedSeq, id: null, problem: 'missing_rows' });
        if (row.prev_hash !== prevHash) return fail({ ...at, problem: 'broken_link' });
        const hash = crypto.createHash('sha256').update(`${row.prev_hash}\x1e${row.payload}`, 'utf8').digest('hex');
        if (hash !== row.hash) return fail({ ...at, problem: 'hash_mismatch' });
        prevHash = row.hash;
        lastSeq = seq;
        expectedSeq = seq + 1;
        rowsChecked++;
      }
    }
    const head = heads.find((h) => h.chain_id === chainId);
    if (!head || Number(head.seq) !== lastSeq || head.hash !== prevHash) {
      return fail({ chainId, seq: lastSeq + 1, id: null, problem: 'head_mismatch' });
    }
  }
  return { ok: true, rowsChecked, chains: chainIds.size, firstBreak: null };

  function fail(firstBreak: ChainBreak): VerifyResult {
    return { ok: false, rowsChecked, chains: chainIds.size, firstBreak };
  }
}

export type AnchorProblem =
  | { kind: 'no_key'; line: null }
  | { kind: 'bad_line' | 'wrong_key' | 'bad_signature' | 'broken_link'; line: number }
  | {
      /** The row at an anchored seq is gone, or holds another hash: history at or before seq was rewritten. */
      kind: 'anchor_mismatch' | 'anchored_row_missing';
      line: number;
      at: string;
      chainId: string;
      seq: number;
      /** The highest anchored seq of that chain that still matches (rows up to it are as anchored). */
      lastMatchingSeq: number | null;
    }
  | { kind: 'chain_behind_anchor'; line: number; at: string; chainId: string; seq: number; headSeq: number | null };

export type AnchorVerifyResult =
  { status: 'missing'; file: string } | { status: 'ok' | 'broken'; file: string; lines: number; pointsChecked: number; problem: AnchorProblem | null };

/**
 * Checks the anchor file against its key and the database: every line well formed, signed by the
 * key and linked to the line before; and for every anchored (chain, seq, hash), the row at that seq
 * still has that hash and the chain has not gone back past it. Streams the file and checks the
 * database in batches, each distinct anchored position once.
 */
export async function verifyAnchors(
  db: Database,
  keys: Pick<AnchorKeys, 'verifying' | 'fingerprint'> | null,
  file: string,
  batchSize = 2000,
): Promise<AnchorVerifyResult> {
  if (!fs.existsSync(file)) return { status: 'missing', file };
  let lines = 0;
  let pointsChecked = 0;
  const broken = (problem: AnchorProblem): AnchorVerifyResult => ({ status: 'broken', file, lines, pointsChecked, problem });
  if (!keys) return broken({ kind: 'no_key', line: null });

  // Per chain: the last point queued (to skip repeats) and the last one found matching.
  const lastQueued = new Map<string, ChainPoint>();
  const lastMatching = new Map<string, number>();
  const highest = new Map<string, { seq: number; line: number; at: string }>();
  let pending: { point: ChainPoint; line: number; at: string }[] = [];
  const flush = async (): Promise<AnchorProblem | null> => {
    const batch = pending;
    pending = [];
    const hashes = await storedHashes(
      db,
      batch.map((b) => b.point),
    );
    for (const [i, { point, line, at }] of batch.entries()) {
      if (hashes[i] !== point.hash) {
        return {
          kind: hashes[i] == null ? 'anchored_row_missing' : 'anchor_mismatch',
          line,
          at,
          chainId: point.chain_id,
          seq: point.seq,
          lastMatchingSeq: lastMatching.get(point.chain_id) ?? null,
        };
      }
      lastMatching.set(point.chain_id, point.seq);
      pointsChecked++;
    }
    return null;
  };

  let prevSig: string | null = null;
  const reader = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  try {
    for await (const text of reader) {
      lines++;
      const line = parseAnchorLine(text);
      if (!line) return broken({ kind: 'bad_line', line: lines });
      if (line.key !== keys.fingerprint) return broken({ kind: 'wrong_key', line: lines });
      if (!anchorSignatureValid(line, keys)) return broken({ kind: 'bad_signature', line: lines });
      if (line.prev !== prevSig) return broken({ kind: 'broken_link', line: lines });
      prevSig = line.sig;
      for (const point of line.chains) {
        const queued = lastQueued.get(point.chain_id);
        if (queued && queued.seq === point.seq && queued.hash === point.hash) continue;
        lastQueued.set(point.chain_id, point);
        pending.push({ point, line: lines, at: line.at });
        const top = highest.get(point.chain_id);
        if (!top || point.seq > top.seq) highest.set(point.chain_id, { seq: point.seq, line: lines, at: line.at });
      }
      if (pending.length >= batchSize) {
        const problem = await flush();
        if (problem) return broken(problem);
      }
    }
  } finally {
    reader.close();
  }
  const problem = await flush();
  if (problem) return broken(problem);

  const heads = new Map((await chainHeads(db)).map((h) => [h.chain_id, h.seq]));
  for (const [chainId, top] of [...highest.entries()].sort((a, b) => a[1].line - b[1].line)) {
    const headSeq = heads.get(chainId) ?? null;
    if (headSeq === null || headSeq < top.seq) return broken({ kind: 'chain_behind_anchor', line: top.line, at: top.at, chainId, seq: top.seq, headSeq });
  }
  return { status: 'ok', file, lines, pointsChecked, problem: null };
}
