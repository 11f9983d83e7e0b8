/**
 * RAG (Red / Amber / Green) status of an action in a strategy action plan.
 *
 * Red, Amber and Green mean what the Welsh Government reporting template says
 * (seed 001, "RAG STATUS" legend). Blue is added for completed actions, as the
 * Wiltshire task group asked (seed 003: "Add Blue in the RAG-rating to indicate
 * actions that have been completed"). "Not applicable" and "not rated yet" are
 * kept apart from the colours so that a report never counts them as Green.
 */
export const ragStatuses = ['red', 'amber', 'green', 'blue', 'not-applicable', 'not-rated'] as const;

export type RagStatus = (typeof ragStatuses)[number];

export interface RagStatusDefinition {
  readonly status: RagStatus;
  readonly label: string;
  readonly meaning: string;
  readonly source: string;
}

// The extracted legend has lost its coloured cells: the three meanings are listed in
// the usual Green, Amber, Red order and we read them that way.
export const ragStatusDefinitions: readonly RagStatusDefinition[] = [
  {
    status: 'red',
    label: 'Red',
    meaning: 'A problem needs serious attention and action now',
    source: 'Welsh Government reporting template legend (seed 001)',
  },
  {
    status: 'amber',
    label: 'Amber',
    meaning: 'Not complete, in progress, a risk but not an issue yet',
    source: 'Welsh Government reporting template legend (seed 001)',
  },
  {
    status: 'green',
    label: 'Green',
    meaning: 'On track, in progress and complete to plan, no issues',
    source: 'Welsh Government reporting template legend (seed 001)',
  },
  {
    status: 'blue',
    label: 'Blue',
    meaning: 'Completed',
    source: 'Wiltshire CSE task group recommendation (seed 003)',
  },
  {
    status: 'not-applicable',
    label: 'N/A',
    meaning: 'The action does not apply to this partnership',
    source: 'Welsh Government reporting template (seed 001)',
  },
  {
    status: 'not-rated',
    label: 'Not rated',
    meaning: 'No status has been given yet',
    source: 'Lantern',
  },
];

/**
 * Reads a RAG cell as printed in a return. The template's own prompt
 * "Red / Amber / Green" (left in place when nobody filled the cell in) means
 * not rated, as does an empty cell. Anything else is not guessed at: null.
 */
export function ragStatusFromPrinted(printed: string): RagStatus | null {
  const cell = printed.trim().toLowerCase().replace(/\s+/g, ' ');
  switch (cell) {
    case 'red':
      return 'red';
    case 'amber':
      return 'amber';
    case 'green':
      return 'green';
    case 'blue':
    case 'complete':
    case 'completed':
      return 'blue';
    case 'n/a':
    case 'na':
    case 'not applicable':
      return 'not-applicable';
    case '':
    case 'red / amber / green':
    case 'red/amber/green':
      return 'not-rated';
    default:
      return null;
  }
}
