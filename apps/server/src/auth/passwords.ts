import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { KefuError } from '@kefu/protocol';
import pLimit from 'p-limit';

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCb(password, salt, keylen, options, (error, key) => (error ? reject(error) : resolve(key))),
  );

/** OWASP's scrypt floor is N=2^17, r=8, p=1 (128 MiB, ~0.3 s a hash): slow for attackers, fine for logins. */
export const DEFAULT_SCRYPT_COST = 17;
const MAX_MEMORY = 1024 * 1024 * 1024;
const KEY_LENGTH = 32;

export type Passwords = {
  hash: (password: string) => Promise<string>;
  verify: (password: string, stored: string) => Promise<boolean>;
};

export type PasswordOptions = {
  /** log2 of scrypt's N. */
  log2Cost?: number;
  /** Hashes running at once. scrypt runs on libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE), which file I/O shares. */
  concurrency?: number;
  /** Hashes allowed to wait for a thread; beyond that a login is refused as rate_limited instead of queueing for minutes. */
  maxQueued?: number;
};

/**
 * Hashes as `scrypt$N$r$p$salt$hash`: the parameters travel with the hash, so the cost can change
 * later (tests lower it) without breaking the hashes already stored. Every hash and check goes
 * through one small queue, so a burst of logins cannot take every thread that uploads and
 * downloads need (300 logins at once used to hold an upload for about a minute).
 */
export function createPasswords({ log2Cost = DEFAULT_SCRYPT_COST, concurrency = 2, maxQueued = 64 }: PasswordOptions = {}): Passwords {
  const params = { N: 2 ** log2Cost, r: 8, p: 1, maxmem: MAX_MEMORY };
  const limit = pLimit(concurrency);
  const queued = <T>(work: () => Promise<T>): Promise<T> => {
    if (limit.pendingCount >= maxQueued) return Promise.reject(new KefuError('rate_limited', 'the server is busy checking passwords; retry in a few seconds'));
    return limit(work);
  };

  return {
    hash: (password) =>
      queued(async () => {
        const salt = randomBytes(16);
        const key = await scrypt(password, salt, KEY_LENGTH, params);
        return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
      }),
    verify: (password, stored) => {
      const [scheme, n, r, p, salt, hash] = stored.split('$');
      if (scheme !== 'scrypt' || !salt || !hash) return Promise.resolve(false);
      const expected = Buffer.from(hash, 'base64url');
      const options = { N: Number(n), r: Number(r), p: Number(p), maxmem: MAX_MEMORY };
      return queued(async () => timingSafeEqual(await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, options), expected));
    },
  };
}
