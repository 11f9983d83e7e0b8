import { z } from 'zod';

/**
 * Field builders the features' form and filter schemas share. A form posts every input, filled or
 * not, so "not given" arrives as a blank string: these read blank (after trimming) as not given.
 */
const maybeBlank = z.string().trim().optional();

/** A form field that may be left blank: blank is null, anything else must pass `schema`. */
export const blankAsNull = <T extends z.ZodType<unknown, string>>(schema: T) => maybeBlank.transform((v) => v || null).pipe(schema.nullable());

/** A filter in a query string: blank is as if it were not there, anything else must pass `schema`. */
export const blankAsAbsent = <T extends z.ZodType<unknown, string>>(schema: T) => maybeBlank.transform((v) => v || undefined).pipe(schema.optional());

/** A record picked from a list, or none: blank is null. */
export const optionalId = blankAsNull(z.string().uuid());

/** A real calendar date (YYYY-MM-DD; 2026-02-30 is not one), or blank for none. */
export const optionalIsoDate = blankAsNull(z.iso.date('validation.dateFormat'));
