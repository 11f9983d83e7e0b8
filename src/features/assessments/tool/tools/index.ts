// The tools Lantern ships with. They are JSON so they read exactly like a
// definition a partnership would load, and are validated the same way.
import { parseToolDefinition } from '../definition.ts';
import type { ToolDefinition } from '../definition.ts';
import cseScreening from './cse-screening.json' with { type: 'json' };
import cseScreeningThreeLevel from './cse-screening-three-level.json' with { type: 'json' };
import cseScreeningLmhUnder13 from './cse-screening-lmh-under13.json' with { type: 'json' };

// A broken built-in is a bug in Lantern, not user input: fail at start-up, loudly.
function load(name: string, json: unknown): ToolDefinition {
  const result = parseToolDefinition(json);
  if (!result.ok) {
    const detail = result.errors.map((e) => `  ${e.path}: ${e.message}`).join('\n');
    throw new Error(`built-in tool ${name} is invalid:\n${detail}`);
  }
  return result.definition;
}

export const defaultTool: ToolDefinition = load('cse-screening.json', cseScreening);

export const builtInTools: readonly ToolDefinition[] = [
  defaultTool,
  load('cse-screening-three-level.json', cseScreeningThreeLevel),
  load('cse-screening-lmh-under13.json', cseScreeningLmhUnder13),
];

export function findBuiltInTool(id: string, version?: number): ToolDefinition | undefined {
  return builtInTools.find((t) => t.id === id && (version === undefined || t.version === version));
}
