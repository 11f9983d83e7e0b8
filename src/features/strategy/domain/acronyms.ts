/**
 * Finding acronyms in plan text and deciding whether the reader is told what
 * they mean. Seed 003 asked the council to "avoid the use of acronyms"; seed 000's
 * draft used LSCB, SERAF and NEETs without explaining them.
 */

/** A partnership's glossary: acronym → expansion. An empty expansion marks a word the partnership accepts as it is. */
export type Glossary = Readonly<Record<string, string>>;

/**
 * Acronyms nobody needs explained. The first six are the GOV.UK style guide's own
 * examples of well-known abbreviations ("UK, DVLA, US, EU, VAT and MP"); NHS and
 * GP are everyday words in UK public services; OK is a word, not an acronym.
 * A partnership can pass its own list instead.
 */
export const wellKnownAcronyms: readonly string[] = ['UK', 'DVLA', 'US', 'EU', 'VAT', 'MP', 'NHS', 'GP', 'OK'];

/**
 * Roman numerals made of I, V and X only (II, IV, XII …), as used to number
 * parts and list items. Numerals with C, D, L or M are not skipped because they
 * clash with real acronyms in this field: DC and DI (police ranks), DCI, CD.
 */
const smallRomanNumeral = /^X{0,3}(?:IX|IV|VI{0,3}|I{1,3})?$/;

export interface AcronymUse {
  /** The acronym without a plural "s", as written: "LSCB" for "LSCBs". */
  readonly acronym: string;
  readonly start: number;
  /** End of the word as written, including any plural "s". */
  readonly end: number;
}

/** Upper-case form used to compare an acronym with glossary keys: "ToRs" → "TOR". */
export function acronymKey(word: string): string {
  return singular(word.trim()).toUpperCase();
}

function singular(word: string): string {
  // "LSCBs", "NEETs", "LAs": a lower-case s straight after a capital is a plural.
  if (word.length >= 3 && word.endsWith('s') && /\p{Lu}/u.test(word.charAt(word.length - 2))) {
    return word.slice(0, -1);
  }
  return word;
}

function countMatches(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

/**
 * Whether a word reads as an acronym: starts with a capital, has at least two
 * capitals and more capitals than small letters ("CSE", "A&E", "DfE", "ToR"),
 * has no digits, and is not a small Roman numeral.
 */
export function isAcronymLike(word: string): boolean {
  const base = singular(word);
  if (!/^\p{Lu}/u.test(base) || /\p{N}/u.test(base)) return false;
  const capitals = countMatches(base, /\p{Lu}/gu);
  const smallLetters = countMatches(base, /\p{Ll}/gu);
  if (capitals < 2 || capitals <= smallLetters) return false;
  return !smallRomanNumeral.test(base);
}

// Words joined by "&" stay one word so that "A&E" and "VC&FB" are found whole.
const wordPattern = /[\p{L}\p{N}]+(?:&[\p{L}\p{N}]+)*/gu;

export function findAcronymUses(text: string): AcronymUse[] {
  const uses: AcronymUse[] = [];
  for (const match of text.matchAll(wordPattern)) {
    const word = match[0];
    if (isAcronymLike(word)) {
      uses.push({ acronym: singular(word), start: match.index, end: match.index + word.length });
    }
  }
  return uses;
}

const smallWords = new Set(['a', 'an', 'and', 'at', 'by', 'for', 'from', 'in', 'into', 'of', 'on', 'or', 'the', 'to', 'with', '&']);

function acronymLetters(acronym: string): string[] {
  return [...acronym.toLowerCase()].filter((letter) => /\p{L}/u.test(letter));
}

function expansionWords(phrase: string): string[] {
  return phrase
    .split(/[\s\-–—/,]+/u)
    .map((word) => word.replace(/^[“”"‘’'«»]+|[“”"‘’'«»]+$/gu, '').replace(/['’]s$/u, ''))
    .filter((word) => word !== '');
}

/**
 * Whether the words spell the acronym: each word gives its first letter
 * (an all-capitals word may give all its letters, so "Multi-agency CSE" spells
 * MACSE); small words such as "of" and "and" may give their letter or nothing
 * ("terms of reference" spells ToR, "Police and Crime Commissioner" spells PCC);
 * at most one other word may be passed over (Wiltshire Association of Secondary
 * and Special School Headteachers → WASSH). The first word must give a letter.
 */
export function wordsSpell(words: readonly string[], acronym: string): boolean {
  const letters = acronymLetters(acronym);
  if (letters.length === 0 || words.length === 0) return false;
  const memo = new Map<string, boolean>();
  const spell = (wordIndex: number, letterIndex: number, skipsLeft: number, mustGive: boolean): boolean => {
    if (wordIndex === words.length) return letterIndex === letters.length;
    const memoKey = `${wordIndex}:${letterIndex}:${skipsLeft}:${mustGive}`;
    const known = memo.get(memoKey);
    if (known !== undefined) return known;
    const word = words[wordIndex] ?? '';
    const lower = word.toLowerCase();
    const isSmall = smallWords.has(lower);
    let result = false;
    if (lower.charAt(0) === letters[letterIndex]) {
      result = spell(wordIndex + 1, letterIndex + 1, skipsLeft, false);
    }
    if (!result && word.length > 1 && isAcronymLike(word)) {
      const own = acronymLetters(singular(word));
      const next = letters.slice(letterIndex, letterIndex + own.length);
      if (own.length > 1 && next.join('') === own.join('')) {
        result = spell(wordIndex + 1, letterIndex + own.length, skipsLeft, false);
      }
    }
    if (!result && !mustGive) {
      if (isSmall) result = spell(wordIndex + 1, letterIndex, skipsLeft, false);
      else if (skipsLeft > 0) result = spell(wordIndex + 1, letterIndex, skipsLeft - 1, false);
    }
    memo.set(memoKey, result);
    return result;
  };
  return spell(0, 0, 1, true);
}

// An expansion is looked for only in the clause just before "(": it never runs
// back over a full stop, colon, semicolon or another bracket.
const clauseBreak = /[.;:!?()[\]\n]/u;
const longestExpansion = 16;
const lookBackCharacters = 400;
const precedingWordCharacters = 40;

/**
 * Acronyms that a text explains itself, in either of the usual forms:
 * "Sexual Exploitation Risk Assessment Framework (SERAF)" or
 * "SERAF (Sexual Exploitation Risk Assessment Framework)". Returns keys as
 * given by `acronymKey`.
 */
export function acronymsExpandedIn(text: string): Set<string> {
  const expanded = new Set<string>();
  for (const match of text.matchAll(/\(([^()]{1,300})\)/gu)) {
    const inside = (match[1] ?? '').trim().replace(/^[“”"‘’']+|[“”"‘’']+$/gu, '');
    const open = match.index;
    // Looking back a bounded distance keeps the check linear on very long text.
    const lookBack = text.slice(Math.max(0, open - lookBackCharacters), open);
    if (isAcronymLike(inside) && /^[\p{L}&]+$/u.test(inside)) {
      const clause = lookBack.slice(lastIndexOfPattern(lookBack, clauseBreak) + 1);
      const words = expansionWords(clause).slice(-longestExpansion);
      for (let first = words.length - 1; first >= 0; first -= 1) {
        if (wordsSpell(words.slice(first), inside)) {
          expanded.add(acronymKey(inside));
          break;
        }
      }
      continue;
    }
    const preceding = /([\p{L}\p{N}]+(?:&[\p{L}\p{N}]+)*)\s*$/u.exec(lookBack.slice(-precedingWordCharacters));
    const acronym = preceding?.[1];
    if (acronym === undefined || !isAcronymLike(acronym)) continue;
    const phrase = inside.split(/[,;:]|\s[-–—]\s/u)[0] ?? '';
    const words = expansionWords(phrase).slice(0, longestExpansion);
    for (let last = words.length; last > 0; last -= 1) {
      if (wordsSpell(words.slice(0, last), singular(acronym))) {
        expanded.add(acronymKey(acronym));
        break;
      }
    }
  }
  return expanded;
}

function lastIndexOfPattern(text: string, pattern: RegExp): number {
  for (let index = text.length - 1; index >= 0; index -= 1) {
    if (pattern.test(text.charAt(index))) return index;
  }
  return -1;
}
