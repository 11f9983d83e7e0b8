import { z } from 'zod';

/**
 * The path parameters and query flags routes share. A record id that is not a UUID names no
 * record: the params schema refuses it and the error handler answers 404 (src/web/app.ts).
 */
export const uuid = z.uuid();

/** Path parameters that are all record ids: uuidParams('id', 'recordId') → { id: uuid, recordId: uuid }. */
export function uuidParams<const K extends string>(...names: K[]): z.ZodObject<{ [P in K]: typeof uuid }> {
  return z.object(Object.fromEntries(names.map((name) => [name, uuid])) as { [P in K]: typeof uuid });
}

/** `/…/:id` */
export const idParams = uuidParams('id');
/** `/children/:id/…/:recordId` */
export const recordParams = uuidParams('id', 'recordId');

export const isUuid = (value: unknown): value is string => uuid.safeParse(value).success;

/** An optional id in a query string: anything that is not a UUID is as if none were given. */
export const optionalQueryId = uuid.optional().catch(undefined);
