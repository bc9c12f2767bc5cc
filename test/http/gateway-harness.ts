/**
 * A real gateway for HTTP tests: the composition root on a test database (SQLite or PostgreSQL), listening on
 * 127.0.0.1 port 0, WNS pointed at the fake WNS, every log line captured. Every API answer is checked against the
 * OpenAPI document (route, status, content type, body schema) — a mismatch fails the request that produced it.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { composeGateway, type ComposeOptions, type Gateway } from '../../src/app/compose.js';
import { loadConfig } from '../../src/config/index.js';
import { parseSyncML, serializeSyncML, type SyncML } from '../../src/syncml/index.js';
import type { TestDatabase } from '../support/databases.js';
import { startFakeWns, type FakeWns } from '../support/fake-wns.js';
import { answerReply, answersFrom, package1, deviceMessage, serverCommands, DEV_INFO } from '../support/syncml-builders.js';
import { createOpenApiContract, type OpenApiContract } from './openapi-contract.js';

export const OPERATOR_TOKEN = 'test-operator-token-0123456789abcdef';
export const SYNCML_TYPE = 'application/vnd.syncml.dm+xml';
export const PFN = 'Contoso.MDM_8wekyb3d8bbwe';

export interface CapturedLogs {
  /** Every line as written. */
  raw: string[];
  lines(): Array<Record<string, unknown>>;
  clear(): void;
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

export interface ApiRequestOptions {
  body?: unknown;
  /** Sent as is (with `contentType`). */
  rawBody?: string | Uint8Array;
  contentType?: string;
  /** null: no Authorization header; a string: that header value. Default: the right bearer token. */
  authorization?: string | null;
  headers?: Record<string, string>;
  /** Skip the OpenAPI conformance check (for answers outside the documented API, e.g. 404 for unknown routes). */
  unchecked?: boolean;
}

export interface CheckInOptions {
  deviceId: string;
  sessionId?: string;
  trigger?: '1200' | '1201';
  /** ChannelURI the device reports (default: a channel on the fake WNS named after the device); null: none. */
  channelUri?: string | null;
  pushStatus?: string;
  /** Status answers by target or kind, e.g. { './DevInfo/Mod': '404' }. */
  overrides?: Record<string, string>;
  /** Get results by target. */
  values?: Record<string, string>;
}

export interface TestGateway {
  gateway: Gateway;
  url: string;
  fake: FakeWns;
  logs: CapturedLogs;
  contract: OpenApiContract;
  api<T = any>(method: string, path: string, options?: ApiRequestOptions): Promise<ApiResponse<T>>;
  syncml(body: string | Uint8Array, contentType?: string, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; text: string }>;
  /** A whole device session: package 1, then answers to every server command until the server ends the session. */
  checkIn(options: CheckInOptions): Promise<SyncML[]>;
  /** Provider with the PFN and the fake WNS's default credentials. */
  putProvider(providerId?: string): Promise<void>;
  close(): Promise<void>;
}

export async function startTestGateway(
  db: TestDatabase,
  options: { env?: Record<string, string>; compose?: ComposeOptions } = {},
): Promise<TestGateway> {
  const fake = await startFakeWns();
  const raw: string[] = [];
  const logs: CapturedLogs = {
    raw,
    lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>),
    clear: () => void raw.splice(0, raw.length),
  };
  const config = loadConfig({
    env: {
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: db.config.dataDir,
      ...(db.config.databaseUrl ? { DATABASE_URL: db.config.databaseUrl } : {}),
      OPERATOR_TOKEN,
      SECRET_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'debug',
      WNS_TOKEN_URL: fake.classicTokenUrl,
      WNS_CHANNEL_HOSTS: '127.0.0.1:*',
      ...options.env,
    },
  });
  const gateway = await composeGateway(config, {
    logDestination: { write: (line: string) => void raw.push(line) },
    wnsAgent: fake.dispatcher(),
    background: false,
    validateResponses: true,
    ...options.compose,
  });
  const { url } = await gateway.listen();
  const openApi = await (await fetch(`${url}/api/v1/openapi.json`, { headers: { authorization: `Bearer ${gateway.operatorToken.token}` } })).json();
  const contract = createOpenApiContract(openApi as Record<string, unknown>);

  const api = async (method: string, path: string, o: ApiRequestOptions = {}): Promise<ApiResponse> => {
    const headers: Record<string, string> = { ...o.headers };
    const authorization = o.authorization === undefined ? `Bearer ${gateway.operatorToken.token}` : o.authorization;
    if (authorization !== null) headers.authorization = authorization;
    let body: string | Uint8Array | undefined;
    if (o.rawBody !== undefined) {
      body = o.rawBody;
      if (o.contentType) headers['content-type'] = o.contentType;
    } else if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] = o.contentType ?? 'application/json';
    }
    const response = await fetch(`${url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    const contentType = response.headers.get('content-type');
    const parsed = contentType?.includes('json') && text !== '' ? JSON.parse(text) : text;
    if (!o.unchecked && method !== 'HEAD') {
      expect(contract.check(method, path, response.status, contentType, parsed), `${method} ${path} → ${response.status} ${text.slice(0, 300)}`).toEqual([]);
    }
    return { status: response.status, headers: response.headers, text, body: parsed };
  };

  const syncml = async (body: string | Uint8Array, contentType = SYNCML_TYPE, extra: Record<string, string> = {}) => {
    const response = await fetch(`${url}${config.syncmlPath}`, { method: 'POST', headers: { 'content-type': contentType, ...extra }, body });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };

  const checkIn = async (o: CheckInOptions): Promise<SyncML[]> => {
    const sessionID = o.sessionId ?? String(1 + Math.floor(Math.random() * 200));
    const providerPath = (reply: SyncML) =>
      serverCommands(reply).flatMap((c) => ('items' in c ? c.items.map((i) => i.target?.locURI ?? '') : [])).find((t) => t.includes('/Push/')) ?? '';
    const replies: SyncML[] = [];
    let message = package1({ sessionID, deviceId: o.deviceId, trigger: o.trigger ?? '1201', devInfo: { ...DEV_INFO, DevId: o.deviceId } });
    for (let msgID = 2; msgID < 20; msgID++) {
      const answer = await syncml(serializeSyncML(message));
      expect(answer.status, answer.text).toBe(200);
      const reply = parseSyncML(answer.text);
      replies.push(reply);
      if (serverCommands(reply).length === 0) return replies;
      const base = providerPath(reply).replace(/\/Push\/.*$/, '/Push');
      const channel = o.channelUri === undefined ? fake.channelUri(`ch-${o.deviceId.replace(/[^A-Za-z0-9._~-]/g, '_')}`) : o.channelUri;
      const values: Record<string, string> = {
        ...(channel !== null ? { [`${base}/ChannelURI`]: channel } : {}),
        [`${base}/Status`]: o.pushStatus ?? '0',
        ...o.values,
      };
      message = deviceMessage({ msgID, sessionID, deviceId: o.deviceId }, answerReply(reply, answersFrom(values, o.overrides ?? {})));
    }
    throw new Error('the session did not end within 20 messages');
  };

  return {
    gateway,
    url,
    fake,
    logs,
    contract,
    api,
    syncml,
    checkIn,
    async putProvider(providerId = config.defaultProviderId) {
      const r = await api('PUT', `/api/v1/providers/${providerId}`, {
        body: { pfn: PFN, wns: { clientId: fake.defaultClient.clientId, clientSecret: fake.defaultClient.clientSecret } },
      });
      expect([200, 201]).toContain(r.status);
    },
    async close() {
      await gateway.close();
      await fake.close();
    },
  };
}
