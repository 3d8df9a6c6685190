import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Metrics = ReturnType<typeof createMetrics>;

/** One registry per server instance, so several servers in one test process never collide. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    sockets: new Gauge({ name: 'kefu_sockets_connected', help: 'Connected sockets on this node', labelNames: ['namespace'], registers: [registry] }),
    commands: new Counter({
      name: 'kefu_commands_total',
      help: 'Commands handled, by result (ok or the error code)',
      labelNames: ['namespace', 'command', 'result'],
      registers: [registry],
    }),
    commandSeconds: new Histogram({
      name: 'kefu_command_duration_seconds',
      help: 'Time from receiving a command to its ack',
      labelNames: ['namespace', 'command'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    messages: new Counter({ name: 'kefu_messages_created_total', help: 'Messages stored', labelNames: ['kind'], registers: [registry] }),
    connectionsRefused: new Counter({ name: 'kefu_connections_refused_total', help: 'TCP connections closed at once: their address already had KEFU_MAX_CONNECTIONS_PER_ADDRESS open', registers: [registry] }),
    httpRequests: new Counter({ name: 'kefu_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'status'], registers: [registry] }),
  };
}
