import { AsyncLocalStorage } from 'node:async_hooks';

/** Fields every log line carries while one request (or SyncML exchange) is being handled. */
export interface LogFields {
  requestId?: string;
  deviceId?: string;
  sessionId?: string;
  msgId?: string;
}

/**
 * Request-scoped log fields without passing a logger through every call: the logger's mixin reads them, so lines
 * logged by session/, store/ or push/ during a SyncML exchange carry the request id, DeviceID, SessionID and MsgID
 * even when those modules only hold the root logger.
 */
export interface LogContext {
  /** Runs `fn` with `fields` as the context; the object is shared, not copied, so later `add`s show everywhere. */
  run<T>(fields: LogFields, fn: () => T): T;
  /** Adds fields to the current request's context (no-op outside one). */
  add(fields: LogFields): void;
  current(): LogFields;
}

export function createLogContext(): LogContext {
  const storage = new AsyncLocalStorage<LogFields>();
  return {
    run: (fields, fn) => storage.run(fields, fn),
    add(fields) {
      const store = storage.getStore();
      if (store) Object.assign(store, fields);
    },
    current: () => ({ ...(storage.getStore() ?? {}) }),
  };
}
