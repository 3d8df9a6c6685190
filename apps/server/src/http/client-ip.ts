import { BlockList, isIP } from 'node:net';

/**
 * Which peers may tell us the client's address in X-Forwarded-For (KEFU_TRUST_PROXY):
 * `false` nobody (the socket's peer is the client), `true` everybody, a hop count, or a list of
 * addresses / CIDR ranges (and proxy-addr's names `loopback`, `linklocal`, `uniquelocal`).
 */
export type TrustProxy = boolean | number | string[];

/** Same signature as Fastify's trustProxy function: is the peer at `hop` (0 = the socket's) a trusted proxy? */
export type ProxyTrust = (address: string, hop: number) => boolean;

const NAMED_RANGES: Record<string, string[]> = {
  loopback: ['127.0.0.1/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** `[address, prefix]` of one entry ("10.0.0.1", "10.0.0.0/8", "fd00::/8"), or null when it is not one. */
function parseEntry(entry: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const [address = '', prefixText, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return null;
  const max = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix < 1 || prefix > max) return null;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** True for an entry KEFU_TRUST_PROXY's list accepts. */
export const isTrustEntry = (entry: string): boolean => entry in NAMED_RANGES || parseEntry(entry) !== null;

/**
 * Compiles the setting into the function handed to Fastify (request.ip) and used for socket
 * handshakes, so HTTP and Socket.IO agree on who the client is. A hop count trusts the nearest
 * `n` peers whoever they are (proxy-addr's classic meaning; Fastify 5.12 itself would trust none):
 * use it only when the nodes are reachable through the proxy alone.
 */
export function compileTrust(setting: TrustProxy): ProxyTrust {
  if (setting === true) return () => true;
  if (setting === false) return () => false;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  const list = new BlockList();
  for (const entry of setting.flatMap((e) => NAMED_RANGES[e] ?? [e])) {
    const parsed = parseEntry(entry);
    if (!parsed) throw new Error(`KEFU_TRUST_PROXY: not an IP address or CIDR range: ${entry}`);
    list.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  return (address) => {
    const version = isIP(address);
    return version !== 0 && list.check(address, version === 4 ? 'ipv4' : 'ipv6');
  };
}

/** The socket's peer, then X-Forwarded-For from right (nearest) to left, as proxy-addr reads them. */
function addressChain(remoteAddress: string | undefined, forwardedFor: string | string[] | undefined): string[] {
  const chain = [remoteAddress ?? ''];
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? '');
  const hops = header
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .reverse();
  return [...chain, ...hops];
}

/**
 * The client's address of a raw request (a Socket.IO handshake's), by the same rule as Fastify's
 * request.ip: walk from the socket's peer outwards while the peer is a trusted proxy.
 */
export function clientAddress(
  request: { socket: { remoteAddress?: string | undefined }; headers: Record<string, string | string[] | undefined> },
  trust: ProxyTrust,
): string {
  const chain = addressChain(request.socket.remoteAddress, request.headers['x-forwarded-for']);
  let hop = 0;
  while (hop < chain.length - 1 && trust(chain[hop]!, hop)) hop += 1;
  return chain[hop]!;
}
