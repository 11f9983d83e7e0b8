import { accepted, type UploadResult } from '../../uploads/limits.ts';
import { uploadParser } from '../../uploads/parse.ts';
import { frameworkSchema, type Framework } from './domain/frameworks.ts';

/** Problems listed on the page; a file with more says how many more. */
const shownProblems = 20;

export type FrameworkFileCheck = { framework: Framework } | { problems: string[]; moreProblems: number };

/** Reads a framework's JSON and checks it with frameworkSchema: linear in the text, run in a worker when large. */
export function readFrameworkFile(text: string): UploadResult<FrameworkFileCheck> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return accepted({ problems: ['The file is not valid JSON.'], moreProblems: 0 });
  }
  const result = frameworkSchema.safeParse(parsed);
  if (result.success) return accepted({ framework: result.data });
  const problems = result.error.issues.map((i) => `${i.path.join('.') || 'framework'}: ${i.message}`);
  return accepted({ problems: problems.slice(0, shownProblems), moreProblems: Math.max(0, problems.length - shownProblems) });
}

export const frameworkFileParser = uploadParser(import.meta.url, 'readFrameworkFile', readFrameworkFile);
