/**
 * One in-process gateway (the real composition root) on a test database, with WNS pointed at a fresh fake WNS: the
 * setup the end-to-end tests share (simulator, WBXML device, poll schedule).
 */
import { randomBytes } from 'node:crypto';
import { composeGateway, type Gateway } from '../../src/app/compose.js';
import { loadConfig } from '../../src/config/index.js';
import type { TestBackend, TestDatabase } from './databases.js';
import { startFakeWns, type FakeWns } from './fake-wns.js';

export interface E2eGateway {
  db: TestDatabase;
  fake: FakeWns;
  gateway: Gateway;
  base: string;
  syncmlUrl: string;
}

export async function startE2eGateway(backend: TestBackend): Promise<E2eGateway> {
  const db = await backend.create();
  const fake = await startFakeWns();
  const config = loadConfig({
    env: {
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: db.config.dataDir,
      ...(db.config.databaseUrl ? { DATABASE_URL: db.config.databaseUrl } : {}),
      OPERATOR_TOKEN: randomBytes(24).toString('base64url'),
      SECRET_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'silent',
      WNS_TOKEN_URL: fake.classicTokenUrl,
      WNS_CHANNEL_HOSTS: '127.0.0.1:*',
    },
  });
  const gateway = await composeGateway(config, { wnsAgent: fake.dispatcher(), background: false, logDestination: { write: () => undefined } });
  const base = (await gateway.listen()).url;
  return { db, fake, gateway, base, syncmlUrl: `${base}${config.syncmlPath}` };
}

export async function stopE2eGateway(e2e: Partial<E2eGateway>): Promise<void> {
  await e2e.gateway?.close();
  await e2e.fake?.close();
  await e2e.db?.dispose();
}

/** A JSON call on the operator API with the gateway's bearer token. */
export async function operatorApi(e2e: Pick<E2eGateway, 'base' | 'gateway'>, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${e2e.base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${e2e.gateway.operatorToken.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
