import { accepted, type UploadResult } from '../../uploads/limits.ts';
import { uploadParser } from '../../uploads/parse.ts';
import { parseToolDefinition, type DefinitionError, type ToolDefinition } from '../assessments/tool/definition.ts';

/** Problems carried back from a worker; the page lists fewer and says how many there were. */
const keptProblems = 100;

export type ToolDefinitionCheck = { ok: true; definition: ToolDefinition } | { ok: false; errors: DefinitionError[]; errorCount: number };

/** Reads a risk tool definition's JSON and checks it: linear in the text, run in a worker when large. */
export function readToolDefinition(text: string): UploadResult<ToolDefinitionCheck> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return accepted({ ok: false, errors: [{ path: '(file)', message: `not valid JSON: ${(error as Error).message}` }], errorCount: 1 });
  }
  const parsed = parseToolDefinition(json);
  if (parsed.ok) return accepted(parsed);
  return accepted({ ok: false, errors: parsed.errors.slice(0, keptProblems), errorCount: parsed.errors.length });
}

export const toolDefinitionParser = uploadParser(import.meta.url, 'readToolDefinition', readToolDefinition);
