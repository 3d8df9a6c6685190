import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCb(password, salt, keylen, options, (error, key) => (error ? reject(error) : resolve(key))),
  );

/** OWASP's scrypt floor is N=2^17, r=8, p=1 (128 MiB, ~0.3 s a hash): slow for attackers, fine for logins. */
export const DEFAULT_SCRYPT_COST = 17;
const MAX_MEMORY = 1024 * 1024 * 1024;
const KEY_LENGTH = 32;

/**
 * Hashes as `scrypt$N$r$p$salt$hash`: the parameters travel with the hash, so the cost can change
 * later (tests lower it) without breaking the hashes already stored.
 */
export function createPasswordHasher(log2Cost = DEFAULT_SCRYPT_COST) {
  const params = { N: 2 ** log2Cost, r: 8, p: 1, maxmem: MAX_MEMORY };
  return async (password: string): Promise<string> => {
    const salt = randomBytes(16);
    const key = await scrypt(password, salt, KEY_LENGTH, params);
    return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
  };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const options = { N: Number(n), r: Number(r), p: Number(p), maxmem: MAX_MEMORY };
  const actual = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, options);
  return timingSafeEqual(actual, expected);
}
