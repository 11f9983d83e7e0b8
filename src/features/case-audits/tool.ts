// Case audit tools as versioned data (issue 15 §1), as the risk tools are (assessments/tool/): a tool
// is a JSON definition with an id and a version, its questions grouped by theme, each answered on one of
// the tool's scales, and an overall grading. An audit keeps a copy of the tool it was opened with, so a
// later version of the tool never changes an audit already answered.
import { z } from 'zod';
import { localTextSchema, type LocalText } from '../../i18n/local-text.ts';
import multiAgencyCse from './tools/multi-agency-cse.json' with { type: 'json' };

/** The overall grading of a case, best first (Ofsted's and Care Inspectorate Wales's four words). */
export const grades = ['outstanding', 'good', 'requires-improvement', 'inadequate'] as const;
export type Grade = (typeof grades)[number];
export const isGrade = (value: unknown): value is Grade => (grades as readonly unknown[]).includes(value);

/** The themes every tool groups its questions by, in this order. */
export const themes = ['identification', 'risk-assessment', 'missing-and-return', 'planning', 'voice-of-the-child', 'outcomes'] as const;

const text = z.string().trim().min(1).max(500);
const key = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,40}$/)
  .max(40);

const scaleSchema = z.strictObject({
  id: key,
  options: z
    .array(z.strictObject({ value: key, label: localTextSchema(text) }))
    .min(2)
    .max(6),
});

export const auditToolSchema = z
  .strictObject({
    id: key,
    version: z.number().int().min(1),
    name: localTextSchema(text),
    description: localTextSchema(z.string().trim().min(1).max(2000)).optional(),
    scales: z.array(scaleSchema).min(1),
    themes: z
      .array(
        z.strictObject({
          id: z.enum(themes),
          title: localTextSchema(text),
          questions: z
            .array(z.strictObject({ id: key, text: localTextSchema(text), scale: key }))
            .min(1)
            .max(12),
        }),
      )
      .min(1),
  })
  .superRefine((tool, ctx) => {
    const scaleIds = new Set(tool.scales.map((s) => s.id));
    const seen = new Set<string>();
    for (const theme of tool.themes)
      for (const q of theme.questions) {
        if (!scaleIds.has(q.scale)) ctx.addIssue({ code: 'custom', message: `question ${q.id}: no scale ${q.scale}` });
        if (seen.has(q.id)) ctx.addIssue({ code: 'custom', message: `question ${q.id} appears twice` });
        seen.add(q.id);
      }
  });

export type AuditTool = z.infer<typeof auditToolSchema>;
export interface AuditQuestion {
  id: string;
  text: LocalText;
  scale: string;
}

/** Every question of the tool, in order, with its theme. */
export const questionsOf = (tool: AuditTool) => tool.themes.flatMap((theme) => theme.questions.map((q) => ({ ...q, theme: theme.id })));

/** The scale's options of a question. */
export const optionsOf = (tool: AuditTool, scaleId: string) => tool.scales.find((s) => s.id === scaleId)?.options ?? [];

function load(name: string, json: unknown): AuditTool {
  const result = auditToolSchema.safeParse(json);
  if (!result.success) throw new Error(`built-in audit tool ${name} is invalid: ${result.error.message}`);
  return result.data;
}

/** The tools Lantern ships: the multi-agency CSE case audit. */
export const builtInAuditTools: readonly AuditTool[] = [load('multi-agency-cse.json', multiAgencyCse)];

export const findAuditTool = (id: string, version?: number) => builtInAuditTools.find((t) => t.id === id && (version === undefined || t.version === version));

/** A tool copied into an audit, read back: the stored JSON is the tool's own, checked again. */
export function storedTool(json: unknown): AuditTool {
  return load('stored', json);
}
