import type { Logger } from 'pino';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { SessionPorts } from '../session/ports.js';
import type { WakeQueue } from '../store/roles.js';

/**
 * Decorator of the session ports: after an exchange that proved a wake (session.serverInitiated: the device opened an
 * Alert 1200 session), reads the wake the committer just marked woke and records its latency (sent → woke). The marked
 * wake is the newest sent one, which need not be the newest requested (a newer request may still be pending), so the
 * few newest wakes are searched for it. A wake woken before its send was recorded has no latency yet: the dispatcher
 * observes it when it records the send (PushMetrics.wakeProvenAtSend).
 */
const RECENT_WAKES = 10;

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
        const recent = (await wakes.listWakes(proof.deviceId, { limit: RECENT_WAKES })).items;
        const woken = recent.find((w) => w.state === 'woke' && w.wokeAt?.getTime() === proof.at.getTime());
        if (woken && woken.latencyMs !== null) metrics.wakeLatency(woken.latencyMs);
      } catch (error) {
        logger.warn({ err: error }, 'could not read the woken wake for the latency metric');
      }
    },
  };
}
