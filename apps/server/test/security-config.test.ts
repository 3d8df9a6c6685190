import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../src/env.js';
import { clientAddress, compileTrust, type TrustProxy } from '../src/http/client-ip.js';

/** A raw request as a socket handshake sees it: the peer's address and the headers. */
const requestFrom = (remoteAddress: string, forwardedFor?: string) => ({
  socket: { remoteAddress },
  headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
});
const ipOf = (setting: TrustProxy, remoteAddress: string, forwardedFor?: string) => clientAddress(requestFrom(remoteAddress, forwardedFor), compileTrust(setting));

describe('security settings: KEFU_TRUST_PROXY, limits, KEFU_METRICS_TOKEN', () => {
  it('trusts no proxy by default and has the documented limits; no metrics token', () => {
    const config = loadConfig({});
    expect(config.trustProxy).toBe(false);
    expect(config.rateLimit.uploadsPerMinute).toBe(30);
    expect(config.rateLimit.newVisitorsPerMinute).toBe(60);
    expect(config.metricsToken).toBeNull();
    expect(config.rateLimit.loginPerMinute).toBe(30);
    expect({ concurrency: config.passwordConcurrency, queue: config.passwordQueue }).toEqual({ concurrency: 2, queue: 64 });
    expect(config.http).toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 60_000, idleTimeoutMs: 60_000, keepAliveTimeoutMs: 5_000, maxConnectionsPerAddress: 256 });
    expect(config.webOrigins).toEqual(['http://localhost:3000', 'http://127.0.0.1:3000']);
    expect(config.uploadOrphanTtlMs).toBe(24 * 3_600_000);
  });

  it('refuses a headers timeout longer than the request timeout, and origins with a path', () => {
    expect(() => loadConfig({ KEFU_HTTP_HEADERS_TIMEOUT_MS: '5000', KEFU_HTTP_REQUEST_TIMEOUT_MS: '1000' })).toThrow('KEFU_HTTP_HEADERS_TIMEOUT_MS');
    expect(() => loadConfig({ KEFU_WEB_ORIGINS: 'https://desk.example.com/' })).toThrow('KEFU_WEB_ORIGINS');
    expect(loadConfig({ KEFU_WEB_ORIGINS: 'https://desk.example.com, http://localhost:4000' }).webOrigins).toEqual(['https://desk.example.com', 'http://localhost:4000']);
  });

  it('reads true, false, a hop count, or a list of addresses and ranges', () => {
    const trust = (value: string) => loadConfig({ KEFU_TRUST_PROXY: value }).trustProxy;
    expect(trust('true')).toBe(true);
    expect(trust('false')).toBe(false);
    expect(trust('0')).toBe(false);
    expect(trust('1')).toBe(1);
    expect(trust('10.0.0.0/8, 192.168.1.5,fd00::/8, loopback')).toEqual(['10.0.0.0/8', '192.168.1.5', 'fd00::/8', 'loopback']);
    expect(loadConfig({ KEFU_TRUST_PROXY: '' }).trustProxy).toBe(false);
    expect(loadConfig({ KEFU_UPLOADS_PER_MINUTE: '5', KEFU_NEW_VISITORS_PER_MINUTE: '7' }).rateLimit).toMatchObject({ uploadsPerMinute: 5, newVisitorsPerMinute: 7 });
    expect(loadConfig({ KEFU_METRICS_TOKEN: 'a-long-enough-metrics-token' }).metricsToken).toBe('a-long-enough-metrics-token');
  });

  it.each([
    [{ KEFU_TRUST_PROXY: 'yes' }, /KEFU_TRUST_PROXY/],
    [{ KEFU_TRUST_PROXY: '10.0.0.0/33' }, /KEFU_TRUST_PROXY/],
    [{ KEFU_TRUST_PROXY: '10.0.0.1, nginx' }, /KEFU_TRUST_PROXY.*nginx/],
    [{ KEFU_TRUST_PROXY: '-1' }, /KEFU_TRUST_PROXY/],
    [{ KEFU_UPLOADS_PER_MINUTE: '0' }, /KEFU_UPLOADS_PER_MINUTE/],
    [{ KEFU_NEW_VISITORS_PER_MINUTE: 'many' }, /KEFU_NEW_VISITORS_PER_MINUTE/],
    [{ KEFU_METRICS_TOKEN: 'short' }, /KEFU_METRICS_TOKEN/],
  ])('refuses %j with a readable message', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('without trust, the peer is the client whatever X-Forwarded-For says', () => {
    expect(ipOf(false, '127.0.0.1', '203.0.113.7')).toBe('127.0.0.1');
    expect(ipOf(['10.0.0.1'], '127.0.0.1', '203.0.113.7')).toBe('127.0.0.1');
  });

  it('walks X-Forwarded-For from the nearest hop while the peer is trusted', () => {
    // true: the farthest address, whoever sent it (only right behind a proxy that overwrites the header).
    expect(ipOf(true, '10.0.0.1', '198.51.100.1, 203.0.113.7')).toBe('198.51.100.1');
    // One hop: the address the proxy appended; what the client wrote to the left does not count.
    expect(ipOf(1, '10.0.0.1', '198.51.100.1, 203.0.113.7')).toBe('203.0.113.7');
    expect(ipOf(2, '10.0.0.1', '198.51.100.1, 203.0.113.7')).toBe('198.51.100.1');
    expect(ipOf(1, '10.0.0.1')).toBe('10.0.0.1');
    // A list: trusted peers are skipped, the first untrusted one is the client.
    expect(ipOf(['10.0.0.0/8'], '10.0.0.1', '198.51.100.1, 203.0.113.7, 10.2.3.4')).toBe('203.0.113.7');
    expect(ipOf(['10.0.0.0/8'], '192.0.2.1', '198.51.100.1')).toBe('192.0.2.1');
    // Named ranges and IPv4-mapped IPv6 peers (how Node reports IPv4 on a dual-stack socket).
    expect(ipOf(['loopback'], '::ffff:127.0.0.1', '203.0.113.7')).toBe('203.0.113.7');
    expect(ipOf(['uniquelocal'], 'fd12::1', '2001:db8::5')).toBe('2001:db8::5');
    // Something that is no address stops the walk: it is never trusted as a proxy.
    expect(ipOf(['10.0.0.0/8'], '10.0.0.1', '198.51.100.1, not-an-ip')).toBe('not-an-ip');
  });
});
