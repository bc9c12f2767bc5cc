import type { Logger } from 'pino';
import type { Housekeeping } from '../store/roles.js';

export interface HousekeepingLoop {
  /** One round now (tests). */
  runOnce(): Promise<void>;
  stop(): void;
}

/**
 * Periodic store upkeep: queued or sent commands past their expiry become 'expired'; commands sent in a session that
 * never answered (the device went away) go back to the queue after `staleSentMs`, so the next session delivers them.
 */
export function startHousekeeping(
  store: Pick<Housekeeping, 'expireCommands' | 'requeueStaleSent'>,
  options: { intervalMs: number; staleSentMs: number; clock: () => Date; logger: Logger },
): HousekeepingLoop {
  const runOnce = async () => {
    try {
      const now = options.clock();
      const expired = await store.expireCommands(now);
      const requeued = await store.requeueStaleSent(new Date(now.getTime() - options.staleSentMs));
      if (expired + requeued > 0) options.logger.info({ expired, requeued }, 'housekeeping');
    } catch (error) {
      options.logger.warn({ err: error }, 'housekeeping round failed');
    }
  };
  const timer = setInterval(() => void runOnce(), options.intervalMs);
  timer.unref();
  return { runOnce, stop: () => clearInterval(timer) };
}
