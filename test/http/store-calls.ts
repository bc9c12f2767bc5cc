/**
 * Which store operations a request made, read from the gateway's own metrics: the composition root wraps the store in
 * instrumentStore, which counts every call in omadm_db_operation_duration_seconds{operation}. One operation is one
 * store round trip (one connection, one read or transaction). Tests run the gateway with background work off, so
 * nothing else calls the store meanwhile.
 */
import type { Histogram } from 'prom-client';
import type { TestGateway } from './gateway-harness.js';

async function counts(t: TestGateway): Promise<Map<string, number>> {
  const metric = t.gateway.metrics.registry.getSingleMetric('omadm_db_operation_duration_seconds') as Histogram | undefined;
  const out = new Map<string, number>();
  if (!metric) return out;
  for (const v of (await metric.get()).values) {
    if (v.metricName?.endsWith('_count')) out.set(String(v.labels.operation), (out.get(String(v.labels.operation)) ?? 0) + v.value);
  }
  return out;
}

/** Runs `action` and returns its result with the store operations it made, e.g. `{ getDevice: 1 }`. */
export async function storeCallsOf<T>(t: TestGateway, action: () => Promise<T>): Promise<{ result: T; calls: Record<string, number> }> {
  const before = await counts(t);
  const result = await action();
  const after = await counts(t);
  const calls: Record<string, number> = {};
  for (const [operation, n] of after) {
    const delta = n - (before.get(operation) ?? 0);
    if (delta > 0) calls[operation] = delta;
  }
  return { result, calls };
}
