/** A form-level problem the route shows in the GOV.UK error summary. */
export class StrategyValidationError extends Error {
  constructor(
    readonly field: string,
    readonly messageKey: string,
  ) {
    super(messageKey);
  }
}
