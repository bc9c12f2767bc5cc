import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * The gateway's Prometheus metrics, as narrow recording methods so any module can take just what it records
 * (e.g. push/ could accept `Pick<GatewayMetrics, 'pushOutcome' | 'wakeLatency'>`). One registry per gateway instance.
 */
export interface GatewayMetrics {
  readonly registry: Registry;
  /** A device opened a session; trigger = the Alert code of package 1 (1200 push, 1201 client) or 'unknown'. */
  sessionStarted(trigger: string): void;
  /**
   * One SyncML request answered: outcome ok | malformed | too-large | unsupported | unauthorized | forbidden |
   * rate-limited | busy (the session is busy) | unavailable (concurrency cap, answer timeout) | database-busy (no pooled
   * connection free in time) | database-unreachable | method | error.
   */
  syncmlMessage(outcome: string, contentType: string): void;
  /** The device's Status for a command the server sent (cmd = Get, Replace, …; status = SyncML code). */
  commandOutcome(cmd: string, status: string): void;
  /** One POST to a ChannelURI: outcome as classified by push/, httpStatus as WNS answered ('none' on network errors). */
  pushOutcome(outcome: string, httpStatus: number | null): void;
  /** Wake lifecycle: requested-created, requested-coalesced, requested-no-channel, settled-sent, settled-failed, … */
  wakeEvent(event: string, count?: number): void;
  /** One WNS token request. */
  tokenFetch(ok: boolean): void;
  /** From a wake being sent to the device's Alert 1200 session. */
  wakeLatency(ms: number): void;
  /** One store call; result ok | error | database-busy | database-unreachable (src/store/store-unavailable.ts). */
  dbOperation(operation: string, seconds: number, result: DbOperationResult): void;
  httpRequest(route: string, method: string, status: number, seconds: number): void;
}

export type DbOperationResult = 'ok' | 'error' | 'database-busy' | 'database-unreachable';

export function createGatewayMetrics(options: { defaultMetrics?: boolean } = {}): GatewayMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) {
    // process and Node.js metrics, including nodejs_eventloop_lag_seconds and its percentiles.
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  }
  const registers = [registry];
  const sessions = new Counter({ name: 'omadm_sessions_total', help: 'Management sessions opened, by trigger (Alert code of package 1)', labelNames: ['trigger'], registers });
  const messages = new Counter({ name: 'omadm_syncml_messages_total', help: 'SyncML requests answered, by outcome and content type', labelNames: ['outcome', 'content_type'], registers });
  const commands = new Counter({ name: 'omadm_command_outcomes_total', help: 'Device Status for server commands, by command and SyncML status code', labelNames: ['cmd', 'status'], registers });
  const pushes = new Counter({ name: 'omadm_push_outcomes_total', help: 'WNS raw notification attempts, by outcome and HTTP status', labelNames: ['outcome', 'http_status'], registers });
  const wakes = new Counter({ name: 'omadm_wakes_total', help: 'Wake requests and how they settled', labelNames: ['event'], registers });
  const tokens = new Counter({ name: 'omadm_wns_token_fetches_total', help: 'WNS access token requests, by result', labelNames: ['result'], registers });
  const wakeLatency = new Histogram({
    name: 'omadm_wake_latency_seconds',
    help: 'Time from a wake sent through WNS to the device opening its Alert 1200 session',
    buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 900, 3600],
    registers,
  });
  const db = new Histogram({
    name: 'omadm_db_operation_duration_seconds',
    help: 'Duration of store operations, by operation and result',
    labelNames: ['operation', 'result'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const http = new Histogram({
    name: 'omadm_http_request_duration_seconds',
    help: 'HTTP requests, by route template, method and status',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  return {
    registry,
    sessionStarted: (trigger) => sessions.inc({ trigger }),
    syncmlMessage: (outcome, contentType) => messages.inc({ outcome, content_type: contentType }),
    commandOutcome: (cmd, status) => commands.inc({ cmd, status }),
    pushOutcome: (outcome, httpStatus) => pushes.inc({ outcome, http_status: httpStatus === null ? 'none' : String(httpStatus) }),
    wakeEvent: (event, count = 1) => wakes.inc({ event }, count),
    tokenFetch: (ok) => tokens.inc({ result: ok ? 'ok' : 'error' }),
    wakeLatency: (ms) => wakeLatency.observe(ms / 1000),
    dbOperation: (operation, seconds, result) => db.observe({ operation, result }, seconds),
    httpRequest: (route, method, status, seconds) => http.observe({ route, method, status: String(status) }, seconds),
  };
}
