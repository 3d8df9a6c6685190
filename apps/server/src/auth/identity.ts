import { createHmac, timingSafeEqual } from 'node:crypto';

/** True when hash = hex(HMAC-SHA256(secret, externalId)), compared in constant time. */
export function verifyIdentityHash(secret: string, externalId: string, hash: string): boolean {
  const expected = createHmac('sha256', secret).update(externalId).digest();
  const given = /^[0-9a-f]+$/i.test(hash) ? Buffer.from(hash, 'hex') : Buffer.alloc(0);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export const identityHash = (secret: string, externalId: string): string =>
  createHmac('sha256', secret).update(externalId).digest('hex');
