// The one vocabulary of a child's risk level (docs/DECISIONS.md 23). Triage decisions, strategy
// meetings, the practitioner's judgement on an assessment and every tool band's suggestion use it;
// the child's current level is derived from them in the database (migration 0170, lantern_child_risk).

/** Least to most serious. */
export const riskLevels = ['low', 'medium', 'high'] as const;
export type RiskLevel = (typeof riskLevels)[number];

/** Where a child's current level came from (children.current_risk_source). */
export const riskSources = ['assessment', 'meeting', 'triage', 'carried_over'] as const;
export type RiskSource = (typeof riskSources)[number];

export function riskRank(level: RiskLevel): number {
  return riskLevels.indexOf(level);
}
