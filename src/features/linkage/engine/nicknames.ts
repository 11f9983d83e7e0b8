/**
 * Given names and their short forms, for the comparison's 'nickname' level (engine/comparisons.ts)
 * and for the synthetic generator's nickname errors (synthetic.ts), so that the two agree. A small
 * built-in list of common English forms, not a complete one: names with no entry (Kayleigh and
 * Kayley, spellings of one name rather than a short form) are left to the similarity levels.
 */
export const NICKNAMES: Readonly<Record<string, readonly string[]>> = {
  elizabeth: ['liz', 'beth', 'lizzie', 'betty'],
  margaret: ['maggie', 'peggy', 'meg'],
  katherine: ['kate', 'katie', 'kath'],
  rebecca: ['becky', 'becca'],
  jennifer: ['jenny', 'jen'],
  susan: ['sue', 'susie'],
  patricia: ['pat', 'trish'],
  victoria: ['vicky', 'tori'],
  abigail: ['abbie', 'abby'],
  eleanor: ['ellie', 'nell'],
  charlotte: ['lottie', 'charlie'],
  florence: ['flo', 'florrie'],
  isabella: ['bella', 'izzy'],
  matilda: ['tilly', 'tilda'],
  william: ['will', 'bill', 'billy'],
  james: ['jim', 'jamie', 'jimmy'],
  alexander: ['alex', 'sandy'],
  edward: ['ed', 'ted', 'eddie'],
  robert: ['rob', 'bob', 'bobby'],
  richard: ['rich', 'dick', 'richie'],
  michael: ['mike', 'mick', 'mikey'],
  christopher: ['chris', 'kit'],
  daniel: ['dan', 'danny'],
  matthew: ['matt'],
  joseph: ['joe', 'joey'],
  benjamin: ['ben', 'benny'],
  samuel: ['sam', 'sammy'],
  nicholas: ['nick', 'nicky'],
  anthony: ['tony', 'ant'],
  jonathan: ['jon', 'jonny'],
  andrew: ['andy', 'drew'],
  stephen: ['steve', 'stevie'],
  peter: ['pete'],
  david: ['dave', 'davy'],
  thomas: ['tom', 'tommy'],
  theodore: ['theo', 'ted'],
  frederick: ['fred', 'freddie'],
  henry: ['harry', 'hal'],
};

/** Each name (lower case) to the full names whose short form it is, and each full name to itself. */
const groupsOf: ReadonlyMap<string, readonly string[]> = (() => {
  const groups = new Map<string, string[]>();
  const add = (name: string, full: string) => {
    const list = groups.get(name) ?? [];
    if (!list.includes(full)) list.push(full);
    groups.set(name, list);
  };
  for (const [full, shorts] of Object.entries(NICKNAMES)) {
    add(full, full);
    for (const short of shorts) add(short, full);
  }
  return groups;
})();

/**
 * Whether two different given names (normalised: lower case, trimmed) are forms of one name on
 * the list: a full name and its short form (robert, bob) or two short forms of one name (liz, beth).
 */
export function areNicknames(a: string, b: string): boolean {
  if (a === b) return false;
  const x = groupsOf.get(a);
  const y = groupsOf.get(b);
  return x !== undefined && y !== undefined && x.some((full) => y.includes(full));
}
