import { seededRandom, type LinkageRecord } from './engine/model.ts';
import { NICKNAMES } from './engine/nicknames.ts';

export { NICKNAMES };

/**
 * Synthetic UK-style people for the linkage benchmark (docs/PERFORMANCE.md, "Record linkage").
 * Names come from small built-in lists and are combined at random: these are synthetic people,
 * not real ones. Deterministic for a seed. As in FEBRL, the ids carry the truth: `rec-N-org` is
 * person N's original record and `rec-N-dup-K` its K-th duplicate, written with errors.
 */

export const syntheticColumns = ['rec_id', 'given_name', 'surname', 'date_of_birth', 'sex', 'postcode', 'address_1'] as const;

// Lists ordered roughly from common to rare; picks are skewed towards the front (see pickSkewed).
const GIVEN_F = [
  'olivia',
  'amelia',
  'isla',
  'ava',
  'mia',
  'ivy',
  'lily',
  'isabella',
  'rosie',
  'sophia',
  'grace',
  'freya',
  'florence',
  'willow',
  'emily',
  'ella',
  'poppy',
  'evie',
  'charlotte',
  'sophie',
  'elizabeth',
  'margaret',
  'katherine',
  'rebecca',
  'jennifer',
  'susan',
  'patricia',
  'victoria',
  'abigail',
  'eleanor',
  'harriet',
  'megan',
  'chloe',
  'jessica',
  'lauren',
  'hannah',
  'bethan',
  'cerys',
  'ffion',
  'seren',
  'niamh',
  'aoife',
  'siobhan',
  'kayleigh',
  'leanne',
  'gemma',
  'zara',
  'aisha',
  'fatima',
  'priya',
  'amira',
  'maryam',
  'nadia',
  'layla',
  'imogen',
  'phoebe',
  'matilda',
  'beatrice',
  'alice',
  'martha',
];
const GIVEN_M = [
  'oliver',
  'george',
  'noah',
  'arthur',
  'muhammad',
  'leo',
  'harry',
  'oscar',
  'archie',
  'henry',
  'theodore',
  'freddie',
  'jack',
  'charlie',
  'thomas',
  'william',
  'james',
  'alexander',
  'edward',
  'robert',
  'richard',
  'michael',
  'christopher',
  'daniel',
  'matthew',
  'joseph',
  'benjamin',
  'samuel',
  'nicholas',
  'anthony',
  'jonathan',
  'andrew',
  'stephen',
  'peter',
  'david',
  'rhys',
  'dylan',
  'gareth',
  'owain',
  'iwan',
  'callum',
  'ewan',
  'angus',
  'ciaran',
  'declan',
  'liam',
  'connor',
  'kieran',
  'jamal',
  'ibrahim',
  'yusuf',
  'arjun',
  'rohan',
  'kwame',
  'tobias',
  'sebastian',
  'reuben',
  'frederick',
  'alfie',
  'louis',
];
const SURNAMES = [
  'smith',
  'jones',
  'williams',
  'taylor',
  'brown',
  'davies',
  'evans',
  'wilson',
  'thomas',
  'johnson',
  'roberts',
  'robinson',
  'thompson',
  'wright',
  'walker',
  'white',
  'edwards',
  'hughes',
  'green',
  'hall',
  'lewis',
  'harris',
  'clarke',
  'patel',
  'jackson',
  'wood',
  'turner',
  'martin',
  'cooper',
  'hill',
  'ward',
  'morris',
  'moore',
  'clark',
  'lee',
  'king',
  'baker',
  'harrison',
  'morgan',
  'allen',
  'james',
  'scott',
  'phillips',
  'watson',
  'davis',
  'parker',
  'price',
  'bennett',
  'young',
  'griffiths',
  'mitchell',
  'kelly',
  'cook',
  'carter',
  'richardson',
  'bailey',
  'collins',
  'bell',
  'shaw',
  'murphy',
  'miller',
  'cox',
  'richards',
  'khan',
  'marshall',
  'anderson',
  'simpson',
  'ellis',
  'adams',
  'singh',
  'begum',
  'wilkinson',
  'foster',
  'chapman',
  'powell',
  'webb',
  'rogers',
  'gray',
  'mason',
  'ali',
  'hunt',
  'hussain',
  'campbell',
  'matthews',
  'owen',
  'palmer',
  'holmes',
  'mills',
  'barnes',
  'knight',
  'lloyd',
  'butler',
  'russell',
  'barker',
  'fisher',
  'stevens',
  'jenkins',
  'murray',
  'dixon',
  'harvey',
  'graham',
  'pearson',
  'ahmed',
  'fletcher',
  'walsh',
  'kaur',
  'gibson',
  'howard',
  'andrews',
  'stewart',
  'elliott',
  'reynolds',
  'saunders',
  'payne',
  'fox',
  'ford',
  'pearce',
  'day',
  'brooks',
  'west',
  'lawrence',
  'cole',
  'atkinson',
  'bradley',
  'spencer',
  'gill',
  'dawson',
  'ball',
  'burton',
  "o'brien",
  'watts',
  'rose',
  'booth',
  'perry',
  'ryan',
  'grant',
  'wells',
  'armstrong',
  'francis',
  'rees',
  'hayes',
  'hart',
  'hudson',
  'newman',
  'barrett',
  'webster',
  'hunter',
  'gregory',
  'carr',
  'lowe',
  'page',
  'marsh',
  'riley',
  'dunn',
  'woods',
  'parsons',
  'berry',
  'stone',
  'reid',
  'holland',
  'hawkins',
  'harding',
  'porter',
  'robertson',
  'newton',
  'oliver',
  'reed',
  'kennedy',
  'williamson',
  'bird',
  'gardner',
  'shah',
  'dean',
  'lane',
  'cooke',
  'bates',
  'henderson',
  'parry',
  'burgess',
  'bishop',
  'walton',
  'burns',
  'nicholson',
  'shepherd',
  'ross',
  'cross',
  'long',
  'freeman',
  'warren',
  'nicholls',
  'hamilton',
  'byrne',
  'sutton',
  'mcdonald',
  'yates',
  'hodgson',
  'robson',
  'curtis',
  'hopkins',
  'ohara',
  'mckenzie',
  'nowak',
  'kowalski',
  'okafor',
  'mensah',
];
const POSTCODE_AREAS = [
  'B',
  'BS',
  'CF',
  'SA',
  'LL',
  'NP',
  'M',
  'L',
  'LS',
  'S',
  'NE',
  'SR',
  'G',
  'EH',
  'AB',
  'DD',
  'BT',
  'N',
  'E',
  'SE',
  'SW',
  'W',
  'NW',
  'CR',
  'BR',
  'OX',
  'CB',
  'NR',
  'IP',
  'CO',
  'CM',
  'SS',
  'ME',
  'CT',
  'TN',
  'BN',
  'PO',
  'SO',
  'BH',
  'DT',
  'EX',
  'PL',
  'TR',
  'TQ',
  'TA',
  'BA',
  'GL',
  'HR',
  'WR',
  'DY',
  'WV',
  'WS',
  'ST',
  'DE',
  'NG',
  'LE',
  'CV',
  'NN',
  'MK',
  'LU',
  'SG',
  'AL',
  'HP',
  'RG',
  'SL',
  'GU',
  'KT',
  'YO',
  'HU',
  'DN',
  'LN',
  'PE',
  'HG',
  'BD',
  'HX',
  'HD',
  'WF',
  'OL',
  'BL',
  'WN',
  'PR',
  'BB',
  'LA',
  'CA',
  'DL',
  'TS',
  'DH',
];
const UNIT_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';
const STREETS = [
  'high street',
  'station road',
  'church street',
  'main street',
  'park road',
  'victoria road',
  'church lane',
  'green lane',
  'manor road',
  'mill lane',
  'queens road',
  'kings road',
  'new road',
  'school lane',
  'the green',
  'york road',
  'london road',
  'north street',
  'springfield road',
  'west street',
  'george street',
  'albert road',
  'chapel street',
  'heol y coed',
  'ffordd y parc',
  'stryd fawr',
  'windsor road',
  'grange road',
  'the avenue',
  'orchard close',
  'meadow view',
  'riverside',
  'castle street',
  'bridge street',
  'market street',
  'alexandra road',
  'south street',
  'richmond road',
  'mount pleasant',
  'cemetery road',
  'elm grove',
  'oak avenue',
  'beech drive',
  'ash close',
  'willow way',
  'holly lane',
  'rose hill',
  'cedar court',
  'maple crescent',
  'birch road',
];
const TYPO_LETTERS = 'abcdefghijklmnopqrstuvwxyz';

export type SyntheticError = 'typo' | 'swapped names' | 'nickname' | 'day and month transposed' | 'missing';

export interface SyntheticOptions {
  /** How many records in all, originals and duplicates. */
  readonly records: number;
  /** The share of originals that have duplicates (default 0.2). */
  readonly duplicateRate?: number;
  /** Most duplicates of one original (default 3; 1 to this, fewer more likely). */
  readonly maxDuplicates?: number;
  /** Errors per duplicate (each drawn from the error kinds; default 2). */
  readonly errorsPerDuplicate?: number;
  readonly seed?: number;
}

export interface SyntheticData {
  readonly records: LinkageRecord[];
  /** Errors made, by kind (for the test and the bench's description). */
  readonly errors: Record<SyntheticError, number>;
}

/** Person N of a synthetic record (its truth), from the id. */
export function personOf(id: string | null | undefined): string {
  const found = /^rec-(\d+)-/.exec(id ?? '');
  if (!found) throw new Error(`not a synthetic id: ${id}`);
  return found[1]!;
}

export function generatePeople(options: SyntheticOptions): SyntheticData {
  const random = seededRandom(options.seed ?? 1);
  const duplicateRate = options.duplicateRate ?? 0.2;
  const maxDuplicates = options.maxDuplicates ?? 3;
  const errorsPerDuplicate = options.errorsPerDuplicate ?? 2;
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)]!;
  // Zipf-like: the front of a list far more often than the back, as with real names.
  // (The first of 200 surnames about 3 in 100 records, as Smith is about 1 in 80 in the UK.)
  const pickSkewed = <T>(list: readonly T[]): T => list[Math.floor(list.length * random() ** 1.5)]!;
  const errors: Record<SyntheticError, number> = { typo: 0, 'swapped names': 0, nickname: 0, 'day and month transposed': 0, missing: 0 };

  const typo = (text: string): string => {
    if (text.length < 2) return text + pick([...TYPO_LETTERS]);
    const at = int(text.length);
    switch (int(4)) {
      case 0: // substitution
        return text.slice(0, at) + TYPO_LETTERS[int(26)] + text.slice(at + 1);
      case 1: // deletion
        return text.slice(0, at) + text.slice(at + 1);
      case 2: // insertion
        return text.slice(0, at) + TYPO_LETTERS[int(26)] + text.slice(at);
      default: {
        // neighbours transposed
        const i = Math.min(at, text.length - 2);
        return text.slice(0, i) + text[i + 1] + text[i] + text.slice(i + 2);
      }
    }
  };

  const records: LinkageRecord[] = [];
  let person = 0;
  while (records.length < options.records) {
    const sex = random() < 0.5 ? 'f' : 'm';
    const given = pickSkewed(sex === 'f' ? GIVEN_F : GIVEN_M);
    const surname = pickSkewed(SURNAMES);
    const year = 1935 + int(88);
    const month = 1 + int(12);
    const day = 1 + int(28);
    const area = pickSkewed(POSTCODE_AREAS);
    const postcode = `${area}${1 + int(30)} ${int(10)}${UNIT_LETTERS[int(20)]}${UNIT_LETTERS[int(20)]}`;
    const address = `${1 + int(200)} ${pick(STREETS)}`;
    const original = {
      rec_id: `rec-${person}-org`,
      given_name: given,
      surname,
      date_of_birth: `${year}-${pad(month)}-${pad(day)}`,
      sex,
      postcode,
      address_1: address,
    };
    records.push(original);
    if (random() < duplicateRate) {
      const count = 1 + Math.floor(maxDuplicates * random() ** 2);
      for (let k = 0; k < count && records.length < options.records; k += 1) {
        const dup: Record<string, string | null> = { ...original, rec_id: `rec-${person}-dup-${k}` };
        for (let e = 0; e < errorsPerDuplicate; e += 1) {
          const roll = random();
          if (roll < 0.4) {
            const column = pick(['given_name', 'surname', 'surname', 'postcode', 'address_1', 'date_of_birth'] as const);
            const value = dup[column];
            if (!value) continue;
            if (column === 'date_of_birth') {
              // A digit mistyped.
              const digits = [...value];
              const at = pick([2, 3, 5, 6, 8, 9]);
              digits[at] = String(int(10));
              dup[column] = digits.join('');
            } else if (column === 'postcode') {
              const chars = [...value];
              const at = int(chars.length);
              if (chars[at] !== ' ') chars[at] = /\d/.test(chars[at]!) ? String(int(10)) : UNIT_LETTERS[int(20)]!;
              dup[column] = chars.join('');
            } else dup[column] = typo(value);
            errors.typo += 1;
          } else if (roll < 0.5) {
            [dup.given_name, dup.surname] = [dup.surname ?? null, dup.given_name ?? null];
            errors['swapped names'] += 1;
          } else if (roll < 0.65) {
            const nicknames = NICKNAMES[original.given_name];
            if (!nicknames || dup.given_name !== original.given_name) continue;
            dup.given_name = pick(nicknames);
            errors.nickname += 1;
          } else if (roll < 0.8) {
            const [y, m, d] = original.date_of_birth.split('-');
            if (dup.date_of_birth !== original.date_of_birth || Number(d) > 12 || m === d) continue;
            dup.date_of_birth = `${y}-${d}-${m}`;
            errors['day and month transposed'] += 1;
          } else {
            const column = pick(['given_name', 'date_of_birth', 'postcode', 'postcode', 'address_1', 'address_1', 'sex'] as const);
            if (dup[column] === null) continue;
            dup[column] = null;
            errors.missing += 1;
          }
        }
        records.push(dup);
      }
    }
    person += 1;
  }
  return { records, errors };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The pairs of records that are truly the same person (deduplication: each pair once). */
export function truePairCount(records: readonly LinkageRecord[]): number {
  const sizes = new Map<string, number>();
  for (const r of records) {
    const p = personOf(r.rec_id);
    sizes.set(p, (sizes.get(p) ?? 0) + 1);
  }
  let pairs = 0;
  for (const s of sizes.values()) pairs += (s * (s - 1)) / 2;
  return pairs;
}
