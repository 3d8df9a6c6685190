import type { ManagerOptions, SocketOptions } from 'socket.io-client';

/** Options both clients share. */
export type ClientOptions = {
  /** Server base URL, e.g. `http://localhost:3001`; the namespace is appended. */
  url: string;
  /**
   * Other nodes of the same cluster to fail over to, e.g. `['https://b.example.com']`. When a connection
   * attempt fails (the node does not answer, or refuses with `unavailable` / `internal`), the next one
   * goes to the next URL, round-robin over `[url, ...urls]`. The client keeps its session (the visitor
   * token or agent token), watched conversations, lastSeq and outbox across the move. Entries may only
   * differ from `url` by origin (scheme, host, port).
   */
  urls?: string[];
  /** Defaults to `['websocket']` (PROTOCOL.md, "Transport"). */
  transports?: string[];
  /** Passed to socket.io-client as is (reconnection delays, path, autoConnect…). */
  socketOptions?: Partial<ManagerOptions & SocketOptions>;
  /** Default ack timeout of `request` / `call`. */
  requestTimeoutMs?: number;
  /** How long one `send` attempt waits for its ack before resending. */
  ackTimeoutMs?: number;
  /** How long `send` keeps retrying (across reconnections) before rejecting with `unavailable`. */
  sendDeadlineMs?: number;
  /** Reconnect when the server ends the connection (a draining node). Default true. */
  reconnectAfterServerDisconnect?: boolean;
};

export type SendOptions = {
  ackTimeoutMs?: number;
  deadlineMs?: number;
};

export type ClientSettings = {
  requestTimeoutMs: number;
  ackTimeoutMs: number;
  sendDeadlineMs: number;
  reconnectAfterServerDisconnect: boolean;
  autoConnect: boolean;
};

export const defaults = {
  requestTimeoutMs: 10_000,
  ackTimeoutMs: 5_000,
  sendDeadlineMs: 60_000,
} as const;

export function settingsFrom(options: ClientOptions): ClientSettings {
  return {
    requestTimeoutMs: options.requestTimeoutMs ?? defaults.requestTimeoutMs,
    ackTimeoutMs: options.ackTimeoutMs ?? defaults.ackTimeoutMs,
    sendDeadlineMs: options.sendDeadlineMs ?? defaults.sendDeadlineMs,
    reconnectAfterServerDisconnect: options.reconnectAfterServerDisconnect ?? true,
    autoConnect: options.socketOptions?.autoConnect ?? true,
  };
}
