import argon2 from 'argon2';

// OWASP's recommended argon2id parameters (19 MiB, 2 passes, 1 lane): ~25 ms here, so a sign-in
// stays quick while a guess still costs an attacker memory-hard work.
const options = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, options);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;
/** Verifies against a throwaway hash so an unknown account takes as long as a known one. */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword('lantern-timing-equaliser');
  await verifyPassword(await dummyHash, password);
}

/** Passwords: at least 12 characters, not all the same character. Long passphrases are welcome. */
export function passwordProblem(password: string): string | null {
  if (password.length < 12) return 'auth.passwordTooShort';
  if (password.length > 256) return 'auth.passwordTooLong';
  if (new Set(password).size < 4) return 'auth.passwordTooSimple';
  return null;
}
