import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { recordExplicitAudit } from '../../src/audit/audit.ts';
import { AnchorError, anchorChains, canonicalAnchorText, parseAnchorLine, startAnchoring, type AnchorLine } from '../../src/audit/anchor.ts';
import { keyFingerprint, type AnchorKeys } from '../../src/audit/anchor-key.ts';
import { verifyAnchors, verifyAuditChain } from '../../src/audit/verify.ts';
import { withSystem } from '../../src/db/context.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';

/**
 * Security finding M5: the database owner can rewrite a chain consistently (edit or delete a row,
 * then recompute every later hash and the head), which the hash chain alone cannot show. Signed
 * anchors kept outside the database can.
 */
let ctx: TestContext;
let northmere: string;
let westbrook: string;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lantern-anchor-'));
let files = 0;
const newFile = () => path.join(dir, `anchors-${++files}.jsonl`);

function makeKeys(): AnchorKeys & { signing: crypto.KeyObject } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  return { signing: privateKey, verifying: publicKey, fingerprint: keyFingerprint(publicKey) };
}
const keys = makeKeys();

before(async () => {
  ctx = await createTestContext();
  const ids = await ctx.ownerQuery<{ code: string; id: string }>(`SELECT code, id FROM partnerships`);
  northmere = ids.find((p) => p.code === 'northmere')!.id;
  westbrook = ids.find((p) => p.code === 'westbrook')!.id;
});
after(async () => {
  await ctx.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function appendEvents(partnershipId: string, n: number) {
  await withSystem(ctx.handle.owner, async (tx) => {
    for (let i = 0; i < n; i++) {
      await recordExplicitAudit(tx, {
        partnershipId,
        actorUserId: null,
        actorLabel: `tester ${i}`,
        action: 'record.view',
        recordType: 'child',
        recordId: `c${i}`,
        details: { i },
        clientAddress: '192.0.2.1',
      });
    }
  });
}

const anchor = (file: string, k = keys) => anchorChains(ctx.handle.db, k, file, ctx.clock);
const head = async (chainId: string) =>
  Number((await ctx.ownerQuery<{ seq: string }>(`SELECT seq::text AS seq FROM audit_chain_heads WHERE chain_id = $1`, [chainId]))[0]!.seq);
const lines = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
const problem = (r: Awaited<ReturnType<typeof verifyAnchors>>) => (r.status === 'missing' ? 'missing' : r.problem);
const writeLines = (file: string, text: string[]) => fs.writeFileSync(file, text.map((l) => `${l}\n`).join(''));

/**
 * Rechains a chain from seq `from` to its end exactly as lantern_audit_chain_at_commit does (same
 * payload function, same hash), then sets the head: what an owner covering their tracks would do.
 */
async function rechainFrom(chainId: string, from: number) {
  await ctx.ownerQuery(
    `WITH RECURSIVE start AS (
       SELECT coalesce((SELECT hash FROM audit_events WHERE chain_id = $1 AND seq = $2 - 1), repeat('0', 64)) AS hash
     ), chained AS (
       SELECT e.id, e.seq, s.hash AS prev_hash,
              encode(sha256(convert_to(s.hash || E'\\x1e' || lantern_audit_payload(e), 'UTF8')), 'hex') AS hash
       FROM audit_events e, start s WHERE e.chain_id = $1 AND e.seq = $2
       UNION ALL
       SELECT e.id, e.seq, c.hash,
              encode(sha256(convert_to(c.hash || E'\\x1e' || lantern_audit_payload(e), 'UTF8')), 'hex')
       FROM chained c JOIN audit_events e ON e.chain_id = $1 AND e.seq = c.seq + 1
     ), rewritten AS (
       UPDATE audit_events a SET prev_hash = c.prev_hash, hash = c.hash FROM chained c WHERE a.id = c.id RETURNING a.seq, a.hash
     )
     UPDATE audit_chain_heads h SET seq = last.seq, hash = last.hash
     FROM (SELECT seq, hash FROM rewritten ORDER BY seq DESC LIMIT 1) last WHERE h.chain_id = $1`,
    [chainId, from],
  );
}

/** Runs fn with the append-only triggers off (as the owner can), then restores the chain as it was. */
async function asOwnerRewriting(chainId: string, fn: () => Promise<void>, check: () => Promise<void>) {
  await ctx.ownerQuery(`DROP TABLE IF EXISTS anchor_backup_events, anchor_backup_head`);
  await ctx.ownerQuery(`CREATE TABLE anchor_backup_events AS SELECT * FROM audit_events WHERE chain_id = '${chainId}'`);
  await ctx.ownerQuery(`CREATE TABLE anchor_backup_head AS SELECT * FROM audit_chain_heads WHERE chain_id = '${chainId}'`);
  await ctx.ownerQuery(`ALTER TABLE audit_events DISABLE TRIGGER USER`);
  try {
    await fn();
  } finally {
    await ctx.ownerQuery(`ALTER TABLE audit_events ENABLE TRIGGER USER`);
  }
  try {
    await check();
  } finally {
    await ctx.ownerQuery(`ALTER TABLE audit_events DISABLE TRIGGER USER`);
    await ctx.ownerQuery(`DELETE FROM audit_events WHERE chain_id = $1`, [chainId]);
    await ctx.ownerQuery(`INSERT INTO audit_events OVERRIDING SYSTEM VALUE SELECT * FROM anchor_backup_events`);
    await ctx.ownerQuery(`ALTER TABLE audit_events ENABLE TRIGGER USER`);
    await ctx.ownerQuery(`UPDATE audit_chain_heads h SET seq = b.seq, hash = b.hash FROM anchor_backup_head b WHERE h.chain_id = b.chain_id`);
    await ctx.ownerQuery(`DROP TABLE anchor_backup_events, anchor_backup_head`);
  }
  assert.equal((await verifyAuditChain(ctx.handle.owner)).ok, true, 'restored');
}

describe('audit anchors', () => {
  test('a clean trail with anchors verifies; nothing new means no new line; a missing file is reported', async () => {
    const file = newFile();
    assert.deepEqual(await verifyAnchors(ctx.handle.db, keys, file), { status: 'missing', file });
    await appendEvents(northmere, 5);
    const first = await anchor(file);
    assert.equal(first.written, true);
    const unchanged = await anchor(file);
    assert.equal(unchanged.written, false);
    await appendEvents(northmere, 3);
    await appendEvents(westbrook, 2);
    assert.equal((await anchor(file)).written, true);
    assert.equal(lines(file).length, 2);

    const [one, two] = lines(file).map((l) => parseAnchorLine(l)!) as [AnchorLine, AnchorLine];
    assert.equal(one.prev, null);
    assert.equal(two.prev, one.sig, 'each line signs the one before');
    assert.equal(two.chains.find((c) => c.chain_id === northmere)!.seq, await head(northmere));

    const result = await verifyAnchors(ctx.handle.db, keys, file);
    assert.equal(result.status, 'ok', JSON.stringify(result));
    assert.ok('lines' in result && result.lines === 2 && result.pointsChecked >= 3, JSON.stringify(result));
    // Checking needs only the public key.
    assert.equal((await verifyAnchors(ctx.handle.db, { verifying: keys.verifying, fingerprint: keys.fingerprint }, file)).status, 'ok');
  });

  test('the anchoring functions are granted to lantern_app only, and it needs no grant on the audit tables', async () => {
    const rows = await ctx.ownerQuery<{ name: string; app: boolean; public_acl: boolean }>(
      `SELECT p.proname AS name, has_function_privilege('lantern_app', p.oid, 'EXECUTE') AS app,
              coalesce(array_to_string(p.proacl, ',') ~ '(^|,)=X', true) AS public_acl
       FROM pg_proc p WHERE p.proname IN ('lantern_audit_heads', 'lantern_audit_hash_at') ORDER BY 1`,
    );
    assert.deepEqual(rows, [
      { name: 'lantern_audit_hash_at', app: true, public_acl: false },
      { name: 'lantern_audit_heads', app: true, public_acl: false },
    ]);
    const [grants] = await ctx.ownerQuery<{ heads: boolean }>(`SELECT has_table_privilege('lantern_app', 'audit_chain_heads', 'SELECT') AS heads`);
    assert.equal(grants!.heads, false);
  });

  test('an owner’s consistent rewrite of a row passes the chain check but not the anchors', async () => {
    const file = newFile();
    await appendEvents(northmere, 6);
    await anchor(file);
    const firstAnchored = await head(northmere);
    await appendEvents(northmere, 6);
    await anchor(file);
    const secondAnchored = await head(northmere);
    const target = firstAnchored + 3;

    await asOwnerRewriting(
      northmere,
      async () => {
        await ctx.ownerQuery(`UPDATE audit_events SET details = details || '{"note":"nothing to see"}' WHERE chain_id = $1 AND seq = $2`, [northmere, target]);
        await rechainFrom(northmere, target);
      },
      async () => {
        const plain = await verifyAuditChain(ctx.handle.owner);
        assert.equal(plain.ok, true, `the rewrite is consistent, so the chain alone cannot show it: ${JSON.stringify(plain)}`);
        const result = await verifyAnchors(ctx.handle.db, keys, file);
        assert.equal(result.status, 'broken');
        assert.deepEqual(problem(result), {
          kind: 'anchor_mismatch',
          line: 2,
          at: ctx.clock.now().toISOString(),
          chainId: northmere,
          seq: secondAnchored,
          lastMatchingSeq: firstAnchored,
        });
        // The anchoring refuses to sign over the rewrite.
        await assert.rejects(anchor(file), (e: unknown) => e instanceof AnchorError && new RegExp(`${northmere}.*seq ${secondAnchored}`).test(e.message));
        assert.equal(lines(file).length, 2);
      },
    );
    assert.equal((await verifyAnchors(ctx.handle.db, keys, file)).status, 'ok', 'restored');
  });

  test('an owner’s deletion of a row with the later rows renumbered and rechained is caught by the anchors', async () => {
    const file = newFile();
    await appendEvents(westbrook, 8);
    await anchor(file);
    const anchored = await head(westbrook);
    const target = anchored - 4;

    await asOwnerRewriting(
      westbrook,
      async () => {
        await ctx.ownerQuery(`DELETE FROM audit_events WHERE chain_id = $1 AND seq = $2`, [westbrook, target]);
        await ctx.ownerQuery(`UPDATE audit_events SET seq = -seq WHERE chain_id = $1 AND seq > $2`, [westbrook, target]);
        await ctx.ownerQuery(`UPDATE audit_events SET seq = -seq - 1 WHERE chain_id = $1 AND seq < 0`, [westbrook]);
        await rechainFrom(westbrook, target);
      },
      async () => {
        assert.equal(await head(westbrook), anchored - 1);
        const plain = await verifyAuditChain(ctx.handle.owner);
        assert.equal(plain.ok, true, `the renumbered chain is consistent: ${JSON.stringify(plain)}`);
        const result = await verifyAnchors(ctx.handle.db, keys, file);
        const p = problem(result);
        // The anchored last row is now missing (the chain is one shorter).
        assert.deepEqual(typeof p === 'object' && p && 'chainId' in p ? [p.kind, p.chainId, p.seq] : p, ['anchored_row_missing', westbrook, anchored]);
      },
    );

    // With a row appended after the renumbering, the anchored seq exists again but holds another hash.
    await asOwnerRewriting(
      westbrook,
      async () => {
        await ctx.ownerQuery(`DELETE FROM audit_events WHERE chain_id = $1 AND seq = $2`, [westbrook, target]);
        await ctx.ownerQuery(`UPDATE audit_events SET seq = -seq WHERE chain_id = $1 AND seq > $2`, [westbrook, target]);
        await ctx.ownerQuery(`UPDATE audit_events SET seq = -seq - 1 WHERE chain_id = $1 AND seq < 0`, [westbrook]);
        await rechainFrom(westbrook, target);
      },
      async () => {
        await appendEvents(westbrook, 1);
        assert.equal(await head(westbrook), anchored);
        assert.equal((await verifyAuditChain(ctx.handle.owner)).ok, true);
        const p = problem(await verifyAnchors(ctx.handle.db, keys, file));
        assert.deepEqual(typeof p === 'object' && p && 'chainId' in p ? [p.kind, p.chainId, p.seq] : p, ['anchor_mismatch', westbrook, anchored]);
      },
    );
  });

  test('tampering with the anchor file is detected: an edited, removed, reordered or forged line, or another key', async () => {
    const file = newFile();
    for (let i = 0; i < 3; i++) {
      await appendEvents(northmere, 2);
      ctx.clock.advance(5 * 60_000);
      await anchor(file);
    }
    const good = lines(file);
    assert.equal(good.length, 3);
    assert.equal((await verifyAnchors(ctx.handle.db, keys, file)).status, 'ok');
    const problemOf = async (text: string[], k: Parameters<typeof verifyAnchors>[1] = keys) => {
      writeLines(file, text);
      return problem(await verifyAnchors(ctx.handle.db, k, file));
    };

    // An anchored hash edited (the JSON still well formed): the signature no longer matches.
    const edited = JSON.parse(good[1]!) as AnchorLine;
    edited.chains[0]!.hash = edited.chains[0]!.hash.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
    assert.deepEqual(await problemOf([good[0]!, JSON.stringify(edited), good[2]!]), { kind: 'bad_signature', line: 2 });
    // A line re-signed by someone else but claiming this key.
    const other = makeKeys();
    const forged = { ...edited, sig: crypto.sign(null, Buffer.from(canonicalAnchorText(edited)), other.signing).toString('base64url') };
    assert.deepEqual(await problemOf([good[0]!, JSON.stringify(forged), good[2]!]), { kind: 'bad_signature', line: 2 });
    // The middle line removed, the first line removed, two lines swapped.
    assert.deepEqual(await problemOf([good[0]!, good[2]!]), { kind: 'broken_link', line: 2 });
    assert.deepEqual(await problemOf([good[1]!, good[2]!]), { kind: 'broken_link', line: 1 });
    assert.deepEqual(await problemOf([good[0]!, good[2]!, good[1]!]), { kind: 'broken_link', line: 2 });
    // A line that is not an anchor.
    assert.deepEqual(await problemOf([good[0]!, '{"v":1}', good[2]!]), { kind: 'bad_line', line: 2 });
    // Checked with another key; or with no key at all.
    assert.deepEqual(await problemOf(good, other), { kind: 'wrong_key', line: 1 });
    assert.deepEqual(await problemOf(good, null), { kind: 'no_key', line: null });

    // The anchoring refuses to extend a file whose last line it did not sign.
    writeLines(file, [good[0]!, good[1]!, JSON.stringify(forged)]);
    await appendEvents(northmere, 1);
    await assert.rejects(anchor(file), AnchorError);
    writeLines(file, good);
    assert.equal((await anchor(file)).written, true);
    assert.equal((await verifyAnchors(ctx.handle.db, keys, file)).status, 'ok');
  });

  test('concurrent anchoring runs write one line; the server’s timer anchors on start and on each tick, and stops', async () => {
    const file = newFile();
    await appendEvents(northmere, 1);
    const outcomes = await Promise.all([anchor(file), anchor(file), anchor(file)]);
    assert.equal(outcomes.filter((o) => o.written).length, 1);
    assert.equal(lines(file).length, 1);

    await appendEvents(northmere, 1);
    const errors: string[] = [];
    const anchoring = startAnchoring({
      db: ctx.handle.db,
      keys,
      file,
      intervalMs: 25,
      clock: ctx.clock,
      log: { info: () => {}, error: (m) => errors.push(m) },
    });
    await anchoring.started;
    assert.equal(lines(file).length, 2, 'anchored at start');
    await appendEvents(westbrook, 1);
    for (let i = 0; i < 200 && lines(file).length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(lines(file).length, 3, 'anchored on a tick');
    await anchoring.stop();
    await appendEvents(westbrook, 1);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(lines(file).length, 3, 'no anchoring after stop');
    assert.deepEqual(errors, []);
    assert.equal((await verifyAnchors(ctx.handle.db, keys, file)).status, 'ok');
  });

  test('anchoring waits for the anchoring lock, so processes sharing the database and the file never fork it', async (t) => {
    if (ctx.handle.kind === 'embedded') return t.skip('one connection in one process: nothing else can hold the lock');
    const file = newFile();
    await appendEvents(northmere, 1);
    await ctx.ownerQuery(`SELECT pg_advisory_lock(7261010)`);
    let finished = false;
    const run = anchor(file).finally(() => (finished = true));
    try {
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(finished, false, 'waits while another process anchors');
      assert.equal(fs.existsSync(file), false);
    } finally {
      await ctx.ownerQuery(`SELECT pg_advisory_unlock(7261010)`);
    }
    assert.equal((await run).written, true);
  });
});
