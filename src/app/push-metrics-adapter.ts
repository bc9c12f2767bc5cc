import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { PushMetrics } from '../push/push-metrics.js';

/** push/'s metric hooks recorded in the gateway's Prometheus registry. */
export function pushMetricsFor(metrics: GatewayMetrics): PushMetrics {
  return {
    wakeRequested: (result) => metrics.wakeEvent(`requested-${result}`),
    pushAttempt: (outcome, httpStatus) => metrics.pushOutcome(outcome, httpStatus),
    wakeSettled: (result) => metrics.wakeEvent(`settled-${result}`),
    wakesExpired: (count) => metrics.wakeEvent('expired', count),
    // The other wake latencies are observed when the session is committed (observe-wake-latency.ts).
    wakeProvenAtSend: (latencyMs) => metrics.wakeLatency(latencyMs),
    tokenRequest: (_providerId, ok) => metrics.tokenFetch(ok),
  };
}
