// The framework's types only, so the built-in frameworks (framework-*.ts) can name them without
// importing frameworks.ts, which lists them: no import cycle. frameworks.ts re-exports them.
import type { LocalText } from '../../../i18n/local-text.ts';

/**
 * A strategy framework: the strands (the "Ps") and numbered outcomes that a
 * partnership's CSE action plan reports against, with the ids of the actions
 * expected under each outcome. A framework is reference data: a partnership can
 * load its own, checked by `frameworkSchema`.
 *
 * Its human texts (name, strand titles and outcomes, outcome texts) are local texts
 * (src/i18n/local-text.ts, issue 11): one text, as every framework before Welsh, or
 * `{ "en": "…", "cy": "…" }`, shown in the page's or document's language with `textIn`.
 * Keys, numbers, ids and the source citation are the same in every language.
 */
export interface FrameworkStrand {
  /** Stable key, e.g. 'prepare'. */
  readonly key: string;
  /** The number that prefixes the strand's outcome ids: 1 for outcomes 1.1, 1.2 … */
  readonly number: number;
  /** Short title, e.g. 'Prepare'. */
  readonly title: LocalText;
  /** The strand's overarching outcome. Lines starting "- " are a list. */
  readonly outcome: LocalText;
}

export interface FrameworkOutcome {
  /** '<strand number>.<outcome number>', e.g. '1.1'. */
  readonly id: string;
  readonly strandKey: string;
  readonly text: LocalText;
  /** '<outcome id><letter>', e.g. '1.1a', in the framework's order. */
  readonly actionIds: readonly string[];
}

export interface Framework {
  readonly key: string;
  readonly name: LocalText;
  /** Where the wording comes from, so users can check it. */
  readonly source: string;
  /** True when the wording is ours and a partnership is expected to edit it. */
  readonly isExample: boolean;
  readonly strands: readonly FrameworkStrand[];
  readonly outcomes: readonly FrameworkOutcome[];
  /**
   * The returns a plan on this framework is reported in (issue 15): the Welsh national plan's
   * is the Welsh Government return. None when absent. See `returnsOffered`.
   */
  readonly returns?: readonly ReturnKind[] | undefined;
}

export const returnKinds = ['welsh-government'] as const;
export type ReturnKind = (typeof returnKinds)[number];
