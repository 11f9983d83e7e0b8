import argon2 from 'argon2';

// OWASP's argon2id baseline (19 MiB, 2 passes) raised to 64 MiB, 3 passes: ~50 ms here.
const options = { type: argon2.argon2id, memoryCost: 65536, timeCost: 3, parallelism: 1 } as const;

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
