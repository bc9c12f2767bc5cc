/**
 * A real gateway for the security, auth and fault tests: the composition root on a test database, listening on
 * 127.0.0.1 port 0 (HTTP, or HTTPS when the env sets TLS_CERT/TLS_KEY), WNS pointed at a fake WNS, log lines captured.
 * Requests go through undici so a test can present a client certificate (mtls) via `dispatcher`.
 */
import { randomBytes } from 'node:crypto';
import { Agent, fetch, type Dispatcher } from 'undici';
import { composeGateway, type ComposeOptions, type Gateway } from '../../src/app/compose.js';
import { loadConfig } from '../../src/config/index.js';
import { parseSyncML, serializeSyncML, type SyncML } from '../../src/syncml/index.js';
import type { TestDatabase } from '../support/databases.js';
import { startFakeWns, type FakeWns } from '../support/fake-wns.js';
import { answerReply, answersFrom, deviceMessage, DEV_INFO, package1, serverCommands } from '../support/syncml-builders.js';

export const OPERATOR_TOKEN = 'security-test-operator-token-0123456789';
export const SYNCML_TYPE = 'application/vnd.syncml.dm+xml';
export const PFN = 'Contoso.MDM_8wekyb3d8bbwe';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

export interface SecureGateway {
  gateway: Gateway;
  url: string;
  fake: FakeWns;
  logs: () => Array<Record<string, unknown>>;
  /** POST to the SyncML endpoint. */
  post(body: string | Uint8Array, options?: { contentType?: string | null; headers?: Record<string, string>; dispatcher?: Dispatcher }): Promise<Answer>;
  /** Operator API with the bearer token; JSON in and out. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** A whole device session over `post`; returns every reply. Throws if a reply is not 200. */
  checkIn(deviceId: string, options?: CheckInOptions): Promise<SyncML[]>;
  putProvider(): Promise<void>;
  close(): Promise<void>;
}

export interface CheckInOptions {
  sessionId?: string;
  trigger?: '1200' | '1201';
  /** ChannelURI reported (default: a channel on the fake WNS); null: none. */
  channelUri?: string | null;
  /** Changes each device message before it is sent (e.g. adds a Cred). */
  decorate?: (message: SyncML) => SyncML;
  dispatcher?: Dispatcher;
  headers?: Record<string, string>;
}

export async function startSecureGateway(
  db: TestDatabase,
  options: { env?: Record<string, string>; compose?: ComposeOptions; fake?: FakeWns; clientDispatcher?: Dispatcher } = {},
): Promise<SecureGateway> {
  const fake = options.fake ?? (await startFakeWns());
  const ownsFake = options.fake === undefined;
  const raw: string[] = [];
  const config = loadConfig({
    env: {
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: db.config.dataDir,
      ...(db.config.databaseUrl ? { DATABASE_URL: db.config.databaseUrl } : {}),
      OPERATOR_TOKEN,
      SECRET_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'info',
      WNS_TOKEN_URL: fake.classicTokenUrl,
      WNS_CHANNEL_HOSTS: '127.0.0.1:*',
      ...options.env,
    },
  });
  const gateway = await composeGateway(config, {
    logDestination: { write: (line: string) => void raw.push(line) },
    wnsAgent: fake.dispatcher(),
    background: false,
    ...options.compose,
  });
  const { url } = await gateway.listen();
  // One client agent per gateway: keep-alive connections are closed with it.
  const ownAgent = new Agent({ connect: { rejectUnauthorized: false } });
  const clientDispatcher = options.clientDispatcher ?? ownAgent;

  const post: SecureGateway['post'] = async (body, o = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    const type = o.contentType === undefined ? SYNCML_TYPE : o.contentType;
    if (type !== null) headers['content-type'] = type;
    const response = await fetch(`${url}${config.syncmlPath}`, { method: 'POST', headers, body, dispatcher: o.dispatcher ?? clientDispatcher });
    return { status: response.status, headers: response.headers as unknown as Headers, text: await response.text() };
  };

  const api: SecureGateway['api'] = async (method, path, body) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      dispatcher: ownAgent,
    });
    const text = await response.text();
    return { status: response.status, body: text !== '' && (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text };
  };

  const checkIn: SecureGateway['checkIn'] = async (deviceId, o = {}) => {
    const sessionID = o.sessionId ?? String(1 + Math.floor(Math.random() * 200));
    const decorate = o.decorate ?? ((m: SyncML) => m);
    const replies: SyncML[] = [];
    let message = package1({ sessionID, deviceId, trigger: o.trigger ?? '1201', devInfo: { ...DEV_INFO, DevId: deviceId } });
    for (let msgID = 2; msgID < 20; msgID++) {
      const answer = await post(serializeSyncML(decorate(message)), { ...(o.dispatcher ? { dispatcher: o.dispatcher } : {}), ...(o.headers ? { headers: o.headers } : {}) });
      if (answer.status !== 200) throw new Error(`check-in of ${deviceId}: HTTP ${answer.status} ${answer.text.slice(0, 200)}`);
      const reply = parseSyncML(answer.text);
      replies.push(reply);
      if (serverCommands(reply).length === 0) return replies;
      const push = serverCommands(reply)
        .flatMap((c) => ('items' in c ? c.items.map((i) => i.target?.locURI ?? '') : []))
        .find((t) => t.includes('/Push/'));
      const base = (push ?? '').replace(/\/Push\/.*$/, '/Push');
      const channel = o.channelUri === undefined ? fake.channelUri(`ch-${deviceId.replace(/[^A-Za-z0-9._~-]/g, '_')}`) : o.channelUri;
      const values: Record<string, string> = { ...(channel !== null ? { [`${base}/ChannelURI`]: channel } : {}), [`${base}/Status`]: '0' };
      message = deviceMessage({ msgID, sessionID, deviceId }, answerReply(reply, answersFrom(values)));
    }
    throw new Error('the session did not end within 20 messages');
  };

  return {
    gateway,
    url,
    fake,
    logs: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>),
    post,
    api,
    checkIn,
    async putProvider() {
      const r = await api('PUT', `/api/v1/providers/${config.defaultProviderId}`, {
        pfn: PFN,
        wns: { clientId: fake.defaultClient.clientId, clientSecret: fake.defaultClient.clientSecret },
      });
      if (r.status !== 200 && r.status !== 201) throw new Error(`provider: ${r.status} ${JSON.stringify(r.body)}`);
    },
    async close() {
      await gateway.close();
      await ownAgent.close();
      if (ownsFake) await fake.close();
    },
  };
}
