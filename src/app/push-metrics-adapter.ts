import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { PushMetrics } from '../push/push-metrics.js';

/** push/'s metric hooks recorded in the gateway's Prometheus registry. */
export function pushMetricsFor(metrics: GatewayMetrics): PushMetrics {
  return {
    wakeRequested: (result) => metrics.wakeEvent(`requested-${result}`),
    pushAttempt: (outcome, httpStatus) => metrics.pushOutcome(outcome, httpStatus),
    wakeSettled: (result) => metrics.wakeEvent(`settled-${result}`),
    wakesExpired: (count) => metrics.wakeEvent('expired', count),
    tokenRequest: (_providerId, ok) => metrics.tokenFetch(ok),
  };
}
