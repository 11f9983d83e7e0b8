// jaro-winkler 0.2.8 ships no types: one CommonJS function, the Jaro–Winkler similarity in [0, 1].
declare module 'jaro-winkler' {
  function distance(s1: string, s2: string, options?: { caseSensitive?: boolean }): number;
  export default distance;
}
