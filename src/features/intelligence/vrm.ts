/**
 * A vehicle registration mark's key: what makes two typings of one registration the same. Upper case,
 * letters and digits only, after Unicode compatibility normalisation (a full-width 'ＡＢ１２' is
 * 'AB12'): 'ab12 cde', 'AB12CDE' and 'AB-12 CDE' are one vehicle. The database keeps the same key in
 * intel_objects.vrm_key (migration 0300); null when nothing of a registration is left.
 */
export function normaliseVrm(registration: string): string | null {
  const key = registration
    .normalize('NFKC')
    .replace(/[^A-Za-z0-9]/g, '')
    .toUpperCase();
  return key === '' ? null : key;
}
