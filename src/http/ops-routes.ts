import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import { HttpError } from './error-taxonomy.js';
import type { OperatorAuthenticator } from './operator-auth.js';
import type { ReadinessProbe } from './operator-ports.js';
import type { RouteTable } from './route-table.js';

/** /healthz (liveness, open), /readyz (database reachable + migrations applied, open), /metrics (operator token). */
export function opsRoutes(routes: RouteTable, deps: { readiness: ReadinessProbe; metrics: GatewayMetrics; auth: OperatorAuthenticator }): void {
  routes.add('get', '/healthz', (_req, res) => {
    res.status(200).json({ status: 'ok' });
  });
  routes.add('get', '/readyz', async (_req, res) => {
    const checks = await deps.readiness.check();
    const ready = checks.database.ok && checks.migrations.ok;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', checks });
  });
  routes.add('get', '/metrics', async (req, res) => {
    if (!deps.auth.verify(req.headers.authorization)) throw new HttpError('unauthorized');
    const text = await deps.metrics.registry.metrics();
    res.status(200).setHeader('Content-Type', deps.metrics.registry.contentType);
    res.send(text);
  });
}
