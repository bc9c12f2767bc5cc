import type { Logger } from 'pino';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { SessionPorts } from '../session/ports.js';
import type { WakeQueue } from '../store/roles.js';

/**
 * Decorator of the session ports: after an exchange that proved a wake (session.serverInitiated: the device opened an
 * Alert 1200 session), reads the wake the committer just marked woke and records its latency (sent → woke).
 */
export function observeWakeLatency(
  ports: SessionPorts,
  wakes: Pick<WakeQueue, 'listWakes'>,
  metrics: Pick<GatewayMetrics, 'wakeLatency'>,
  logger: Logger,
): SessionPorts {
  return {
    loadForMessage: (deviceId, sessionId, pendingLimit) => ports.loadForMessage(deviceId, sessionId, pendingLimit),
    async commitExchange(change) {
      await ports.commitExchange(change);
      const proof = change.effects.find((e) => e.type === 'session.serverInitiated');
      if (!proof) return;
      try {
        const newest = (await wakes.listWakes(proof.deviceId, { limit: 1 })).items[0];
        if (newest?.state === 'woke' && newest.latencyMs !== null && newest.wokeAt?.getTime() === proof.at.getTime()) {
          metrics.wakeLatency(newest.latencyMs);
        }
      } catch (error) {
        logger.warn({ err: error }, 'could not read the woken wake for the latency metric');
      }
    },
  };
}
