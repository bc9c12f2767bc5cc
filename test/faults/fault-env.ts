/** Configuration and operator calls shared by the fault tests (child gateway processes). */
import { randomBytes } from 'node:crypto';
import type { TestDatabase } from '../support/databases.js';
import type { FakeWns } from '../support/fake-wns.js';

export const OPERATOR_TOKEN = 'fault-test-operator-token-0123456789';
export const PFN = 'Contoso.MDM_8wekyb3d8bbwe';

/** Env for `serve` on a test database, WNS at a plain-HTTP fake. */
export function gatewayEnv(db: TestDatabase, fake: FakeWns, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATA_DIR: db.config.dataDir,
    ...(db.config.databaseUrl ? { DATABASE_URL: db.config.databaseUrl } : {}),
    OPERATOR_TOKEN,
    SECRET_KEY: randomBytes(32).toString('base64'),
    WNS_TOKEN_URL: fake.classicTokenUrl,
    WNS_CHANNEL_HOSTS: 'http://127.0.0.1:*',
    RATE_LIMIT_DEVICE: '0',
    ...extra,
  };
}

export async function operator(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return { status: response.status, body: text !== '' && (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text };
}

export async function putProvider(url: string, fake: FakeWns): Promise<void> {
  const r = await operator(url, 'PUT', '/api/v1/providers/omadm-gateway', { pfn: PFN, wns: { clientId: fake.defaultClient.clientId, clientSecret: fake.defaultClient.clientSecret } });
  if (r.status !== 200 && r.status !== 201) throw new Error(`provider: ${r.status} ${JSON.stringify(r.body)}`);
}

/** Runs `work` over `items` with at most `n` at once. */
export async function inParallel<T>(items: readonly T[], n: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}
