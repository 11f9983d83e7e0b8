/**
 * The text of /.well-known/security.txt (RFC 9116): one Contact line per configured URI, an Expires
 * 180 days ahead (always within the year the RFC allows, renewed as long as the server runs with
 * its contact configured), the languages reports may be written in, the file's canonical address,
 * and the disclosure policy when one is configured.
 */
export function securityTxt(settings: { contact: string[]; policy: string | undefined }, origin: string, now: Date): string {
  const expires = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 180));
  const lines = [
    ...settings.contact.map((c) => `Contact: ${c}`),
    `Expires: ${expires.toISOString().replace('.000Z', 'Z')}`,
    'Preferred-Languages: en, cy',
    `Canonical: ${origin.replace(/\/$/, '')}/.well-known/security.txt`,
    ...(settings.policy ? [`Policy: ${settings.policy}`] : []),
  ];
  return `${lines.join('\n')}\n`;
}
