import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import { storeUnavailableReason } from '../store/store-unavailable.js';

/**
 * Decorator: times every asynchronous method of `target` into omadm_db_operation_duration_seconds{operation, result}
 * (result: ok, error, or the database being busy / unreachable).
 * Same interface in and out, so callers cannot tell it is there.
 */
export function instrumentStore<T extends object>(target: T, metrics: Pick<GatewayMetrics, 'dbOperation'>): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(obj, key, receiver) {
      const value: unknown = Reflect.get(obj, key, receiver);
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      let fn = wrapped.get(key);
      if (!fn) {
        fn = (...args: unknown[]) => {
          const started = performance.now();
          const result: unknown = (value as (...a: unknown[]) => unknown).apply(obj, args);
          if (!(result instanceof Promise)) return result;
          return result.then(
            (v) => {
              metrics.dbOperation(key, (performance.now() - started) / 1000, 'ok');
              return v;
            },
            (error: unknown) => {
              const database = storeUnavailableReason(error);
              metrics.dbOperation(key, (performance.now() - started) / 1000, database === null ? 'error' : `database-${database}`);
              throw error;
            },
          );
        };
        wrapped.set(key, fn);
      }
      return fn;
    },
  });
}
