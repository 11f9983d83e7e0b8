import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../db/context.ts';

/**
 * What a feature's benchmark-scale seed gets: the range of scaled children to give history to.
 * seedScale numbers its children C0000001, C0000002, …; a feature seed works on those whose
 * number is in [from, to], set-based (INSERT … SELECT), so that it owns its own tables' data.
 */
export interface ScaleSeedContext {
  from: number;
  to: number;
}

/** A feature's scale seed: inserts history for the scaled children; returns rows inserted. */
export type FeatureScaleSeed = (tx: Tx, context: ScaleSeedContext) => Promise<number>;

/** The reference seedScale gives its n-th child. */
export const scaledReference = (n: number) => `C${String(n).padStart(7, '0')}`;

/**
 * Condition picking the scaled children of a run, on the children alias given. References are
 * fixed-width, so a text range is a number range.
 */
export function scaledChildren(alias: string, { from, to }: ScaleSeedContext): RawBuilder<boolean> {
  return sql<boolean>`(${sql.ref(`${alias}.reference`)} ~ '^C[0-9]{7}$' AND ${sql.ref(`${alias}.reference`)} BETWEEN ${scaledReference(from)} AND ${scaledReference(to)})`;
}

/**
 * A deterministic pseudo-random number in [0, modulo) for a child and a purpose: hashtext of the
 * child's reference (stable across runs, unlike its uuid) and a salt naming what it decides, sign
 * bit masked (abs() fails on the smallest integer). Dates are laid out relative to the seeding day.
 */
export function pick(referenceColumn: string, salt: string, modulo: number): RawBuilder<number> {
  return sql<number>`((hashtext(${sql.ref(referenceColumn)} || ${`:${salt}`}::text) & 2147483647) % ${sql.lit(modulo)})`;
}

/** Runs an INSERT … SELECT and returns how many rows it inserted (works on pg and PGlite alike). */
export async function insertCount(tx: Tx, statement: RawBuilder<unknown>): Promise<number> {
  const r = await sql<{ n: string | number }>`WITH ins AS (${statement} RETURNING 1) SELECT count(*) AS n FROM ins`.execute(tx);
  return Number(r.rows[0]?.n ?? 0);
}
