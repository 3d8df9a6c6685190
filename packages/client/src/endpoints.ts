import type { ManagerOptions } from 'socket.io-client';

/** Where one node listens, in the terms engine.io-client reads from its options. */
export type Endpoint = { url: string; hostname: string; port: string; secure: boolean };

/**
 * The nodes a client may connect to (`url`, then the other `urls`), and the one the next connection
 * attempt goes to. Node URLs differ only by origin: their path (the namespace prefix) and query must
 * be those of `url`, since the client keeps one socket, and so one namespace, across failovers.
 */
export class Endpoints {
  private index = 0;

  private constructor(
    readonly list: readonly Endpoint[],
    /** `url`'s path without trailing slashes: prefixed to the namespace, as `io(url + namespace)` does. */
    readonly pathPrefix: string,
    readonly query: Record<string, string> | undefined,
  ) {}

  static parse(url: string, urls: readonly string[] = []): Endpoints {
    const primary = absolute(url);
    const list: Endpoint[] = [];
    for (const raw of [url, ...urls]) {
      const parsed = raw === url ? primary : absolute(raw);
      if (parsed.pathname.replace(/\/+$/, '') !== primary.pathname.replace(/\/+$/, '') || parsed.search !== primary.search) {
        throw new TypeError(`kefu client: ${raw} must have the path and query of ${url} (only the origin may differ)`);
      }
      const endpoint = endpointOf(raw, parsed);
      if (!list.some((e) => e.hostname === endpoint.hostname && e.port === endpoint.port && e.secure === endpoint.secure)) {
        list.push(endpoint);
      }
    }
    const query = primary.search ? Object.fromEntries(primary.searchParams) : undefined;
    return new Endpoints(list, primary.pathname.replace(/\/+$/, ''), query);
  }

  get current(): Endpoint {
    return this.list[this.index]!;
  }

  /** Points `opts` (a Manager's options, read by every engine it opens) at the current endpoint. */
  applyTo(opts: Partial<ManagerOptions>): void {
    const { hostname, port, secure } = this.current;
    Object.assign(opts, { hostname, port, secure });
  }

  /** Round-robin: the next attempt of the Manager owning `opts` goes to the next node. */
  advance(opts: Partial<ManagerOptions>): void {
    if (this.list.length < 2) return;
    this.index = (this.index + 1) % this.list.length;
    this.applyTo(opts);
  }
}

// Like socket.io-client's own parsing: a URL without a scheme takes the page's (or https).
function absolute(url: string): URL {
  const location = (globalThis as { location?: { href: string; protocol: string } }).location;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return new URL(url);
  if (url.startsWith('//')) return new URL(`${location?.protocol ?? 'https:'}${url}`);
  if (url.startsWith('/') || url === '') {
    if (!location) throw new TypeError(`kefu client: ${JSON.stringify(url)} is not an absolute URL`);
    return new URL(url, location.href);
  }
  return new URL(`${location?.protocol ?? 'https:'}//${url}`);
}

function endpointOf(url: string, parsed: URL): Endpoint {
  const secure = parsed.protocol === 'https:' || parsed.protocol === 'wss:';
  // WHATWG keeps IPv6 brackets in `hostname`; engine.io-client adds its own.
  const hostname = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return { url, hostname, port: parsed.port || (secure ? '443' : '80'), secure };
}
