import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../db/database.ts';

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
