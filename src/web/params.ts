import { z } from 'zod';
import { languages } from '../i18n/i18n.ts';

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

/**
 * `?language=en|cy` on a document's download (issue 11): the language the document is made in, chosen
 * at download; absent, the page's own (request.language). Anything else is malformed: 400. Not `lang`,
 * which is the site's language switch (src/web/language.ts: it remembers the choice and redirects).
 */
export const documentLanguage = z.enum(languages).optional();
