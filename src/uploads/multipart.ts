import multipart from '@fastify/multipart';
import type { LanternApp } from '../features/feature.ts';
import { multipartFileLimit, type FileLimits } from './limits.ts';

/**
 * Multipart for one encapsulated context of upload routes (never the whole app: other forms stay
 * urlencoded). attachFieldsToBody puts the fields, the _csrf token among them, in request.body,
 * where the CSRF check in web/app.ts reads it. A file over the limit arrives cut one byte past it
 * (not refused outright), so its form can say so (checkFileSize).
 */
export async function acceptUploads(scoped: LanternApp, limits: FileLimits, counts: { fields: number; parts?: number }): Promise<void> {
  if (scoped.hasRequestDecorator('isMultipart')) return;
  await scoped.register(multipart, {
    attachFieldsToBody: 'keyValues',
    throwFileSizeLimit: false,
    limits: { fileSize: multipartFileLimit(limits), files: 1, ...counts },
  });
}
