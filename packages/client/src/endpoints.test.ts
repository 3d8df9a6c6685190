import { describe, expect, it } from '@jest/globals';
import type { ManagerOptions } from 'socket.io-client';
import { Endpoints } from './endpoints.js';

describe('Endpoints', () => {
  it('turns url and urls into engine.io host options, deduplicated, with default ports and bare IPv6', () => {
    const endpoints = Endpoints.parse('https://a.example.com/', ['http://[::1]:3002', 'wss://a.example.com:443', 'b.example.com:81']);
    expect(endpoints.list.map(({ hostname, port, secure }) => ({ hostname, port, secure }))).toEqual([
      { hostname: 'a.example.com', port: '443', secure: true },
      { hostname: '::1', port: '3002', secure: false },
      { hostname: 'b.example.com', port: '81', secure: true },
    ]);
    expect(endpoints.pathPrefix).toBe('');
  });

  it('keeps the path of url as the namespace prefix and its query, and rejects urls that differ there', () => {
    const endpoints = Endpoints.parse('http://a:3001/kefu/?tenant=t1', ['http://b:3001/kefu?tenant=t1']);
    expect(endpoints.pathPrefix).toBe('/kefu');
    expect(endpoints.query).toEqual({ tenant: 't1' });
    expect(() => Endpoints.parse('http://a:3001/kefu', ['http://b:3001/other'])).toThrow(TypeError);
    expect(() => Endpoints.parse('http://a:3001/?tenant=t1', ['http://b:3001/?tenant=t2'])).toThrow(TypeError);
  });

  it('advances round-robin, pointing the Manager options at each node in turn', () => {
    const endpoints = Endpoints.parse('http://a:1', ['http://b:2', 'http://c:3']);
    const opts: Partial<ManagerOptions> = {};
    endpoints.applyTo(opts);
    const seen = [`${opts.hostname}:${opts.port}`];
    for (let i = 0; i < 3; i++) {
      endpoints.advance(opts);
      seen.push(`${opts.hostname}:${opts.port}`);
    }
    expect(seen).toEqual(['a:1', 'b:2', 'c:3', 'a:1']);
  });
});
