// The score's explanation in a page's language: each line's words come from the locales
// (riskTool.explanation), the tool's own texts in that language where the tool has them, else in
// English (textIn). In English it reads exactly as the engine's stored sentences (engine.test.ts).
import { translator, type Language } from '../../../i18n/i18n.ts';
import { textIn, type LocalText } from '../../../i18n/local-text.ts';
import type { ExplanationLine } from './engine.ts';

type Values = Record<string, string | number>;

/** The explanation's lines in `language`. */
export function explanationIn(lines: readonly ExplanationLine[], language: Language): string[] {
  return lines.map((line) => lineIn(line, language));
}

/** One line in `language`. */
export function lineIn(line: ExplanationLine, language: Language): string {
  const t = translator(language);
  const text = (value: LocalText) => textIn(value, language);
  // The sentence for the number (plurals: Welsh has six forms), then the tool's texts put in it in one
  // pass, so a tool's text is never read as a placeholder or a key.
  const words = (key: string, values: Values, count?: number) => fill(t(`riskTool.explanation.${key}`, count === undefined ? {} : { count }), values);
  const quoted = (value: LocalText) => words('quoted', { text: text(value) });
  switch (line.key) {
    case 'indicator':
      return words(
        'indicator',
        { section: text(line.section), indicator: text(line.indicator), windows: joinWithAnd(line.windows.map(text), language) },
        line.points,
      );
    case 'subtotal':
      return words('subtotal', { section: text(line.section) }, line.points);
    case 'total': {
      // "6–10" is the same in every language; "16 or more" is not.
      const range = line.max === null ? words('rangeOpen', { min: line.min }) : `${line.min}–${line.max}`;
      return words('total', { band: text(line.band), range }, line.points);
    }
    case 'override':
      return words('override', { reason: text(line.explanation) });
    case 'overrideUnderAge':
      return words('override', { reason: words('reasons.underAge', { age: line.age, under: line.under, category: text(line.category) }) });
    case 'overrideIndicators': {
      const indicators = line.indicators.map(quoted).join(', ');
      return words('override', { reason: words('reasons.indicators', { indicators, category: text(line.category) }, line.indicators.length) });
    }
    case 'category':
      return line.raisedFrom === null
        ? words('category', { category: text(line.category) })
        : words('categoryRaised', { category: text(line.category), from: text(line.raisedFrom) });
    case 'judgement':
      return words('judgement', {});
  }
}

/** "a and b and c"; in Welsh "a" is "ac" before a vowel ("ac yn y 6 mis diwethaf"). The words carry no spaces (test/unit/content.test.ts). */
function joinWithAnd(items: string[], language: Language): string {
  const t = translator(language);
  return items.reduce((joined, item, i) => {
    if (i === 0) return item;
    const and = /^[aeiouwyâêîôûŵŷ]/i.test(item) ? t('riskTool.explanation.andBeforeVowel') : t('riskTool.explanation.and');
    return `${joined} ${and} ${item}`;
  }, '');
}

/** Puts values into a sentence's {{placeholders}} in one pass; one it is not given stays as it is. */
function fill(sentence: string, values: Values): string {
  return sentence.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (placeholder, name: string) => (name in values ? String(values[name]) : placeholder));
}
