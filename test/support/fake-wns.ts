/**
 * A fake Windows Push Notification Service: a real HTTP(S) server on 127.0.0.1, port 0.
 *
 * - Token endpoints: classic `POST /accesstoken.srf` (scope notify.windows.com, client_id = package SID) and Entra
 *   `POST /{tenant}/oauth2/v2.0/token` (scope https://wns.windows.com/.default). Form fields are validated; tokens carry
 *   `expires_in` (number for classic, string for Entra, as the real ones do — PROTOCOL.md e.1/e.2).
 * - Channel endpoints `POST /{channelId}`: validate the bearer token, X-WNS-Type, Content-Type, Content-Length (no
 *   chunking, no Expect), the 5,000-byte limit, X-WNS-Cache-Policy / X-WNS-TTL / X-WNS-RequestForStatus, and answer
 *   like WNS (PROTOCOL.md e.3–e.6). Any answer can be scripted per channel (status + headers, a hang, a reset).
 * - A simulated device per channel: connected → the wake is handed to `onWake` listeners; disconnected → one cached
 *   raw notification (cache policy `cache`, TTL honoured) is delivered on reconnect, otherwise `dropped`.
 *
 * HTTPS uses a self-signed certificate generated at start (openssl) — trust it with `fake.dispatcher()` or `fake.ca`.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Agent, type Dispatcher } from 'undici';

export interface FakeWnsClient {
  /** classic: the package SID; Entra: the application id. */
  clientId: string;
  clientSecret: string;
  /** Entra tenant this client belongs to. */
  tenant?: string;
}

export interface FakeWnsOptions {
  /** HTTPS with a generated self-signed certificate (default) or plain HTTP. */
  tls?: boolean;
  clients?: FakeWnsClient[];
  tokenLifetimeSeconds?: number;
  /** Leave expires_in out of classic token responses (the overview sample does). */
  omitExpiresIn?: boolean;
  /** Answer with the legacy `X-WNS-NotificationStatus` header instead of `X-WNS-Status` (bench baseline). */
  legacyStatusHeader?: boolean;
  /** Clock for token expiry and TTLs (default: real time). */
  clock?: () => Date;
  /** TCP port on 127.0.0.1 (default 0: any free port); a fixed one lets a separately started gateway be pointed at it. */
  port?: number;
}

export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Never answer (until the server closes): provokes the client's timeout. */
  hang?: boolean;
  /** Destroy the connection without an answer: a network error. */
  reset?: boolean;
}

export type DeviceConnection = 'connected' | 'disconnected' | 'tempdisconnected';

export interface ChannelSetup {
  /** Only tokens of this client may send (403 otherwise): models "credentials do not match the PFN". */
  ownerClientId?: string;
  /** 'expired' → 410, 'invalid' → 404. */
  state?: 'active' | 'expired' | 'invalid';
  device?: DeviceConnection;
}

export interface FakeWake {
  channelId: string;
  payload: Buffer;
  cachePolicy: string;
  ttlSeconds: number | null;
  msCv: string | null;
  at: Date;
  /** Delivered later from the WNS cache when the device reconnected. */
  fromCache: boolean;
}

export interface RecordedChannelRequest {
  channelId: string;
  method: string;
  headers: IncomingMessage['headers'];
  bodyLength: number;
  status: number;
  at: Date;
}

export interface RecordedTokenRequest {
  flow: 'classic' | 'entra';
  tenant: string | null;
  form: Record<string, string>;
  status: number;
  at: Date;
}

export interface FakeWns {
  origin: string;
  /** PEM of the self-signed certificate (null over plain HTTP). */
  ca: string | null;
  classicTokenUrl: string;
  /** Contains `{tenant}`. */
  entraTokenUrl: string;
  defaultClient: Required<FakeWnsClient>;
  channelUri(channelId?: string): string;
  /** An undici Agent that trusts the fake's certificate (closed with the fake). */
  dispatcher(): Dispatcher;
  addClient(client: FakeWnsClient): void;
  setupChannel(channelId: string, setup: ChannelSetup): void;
  setDevice(channelId: string, connection: DeviceConnection): void;
  /** Queue answers for the next requests to a channel (one per request, in order). */
  scriptChannel(channelId: string, ...answers: ScriptedAnswer[]): void;
  /** Queue answers for the next token requests. */
  scriptToken(...answers: ScriptedAnswer[]): void;
  /** Make every token issued so far invalid (WNS then answers 401). */
  revokeTokens(): void;
  onWake(listener: (wake: FakeWake) => void): () => void;
  channelRequests: RecordedChannelRequest[];
  tokenRequests: RecordedTokenRequest[];
  requestsTo(channelId: string): RecordedChannelRequest[];
  /** Every connection the server accepted (proves "never contacted"). */
  connections(): number;
  close(): Promise<void>;
}

const MAX_RAW_BYTES = 5000;
const READ_LIMIT = 64 * 1024;
const CHANNEL_PATH = /^\/([A-Za-z0-9._~-]{1,200})$/;
const ENTRA_PATH = /^\/([A-Za-z0-9._-]{1,100})\/oauth2\/v2\.0\/token$/;

export async function startFakeWns(options: FakeWnsOptions = {}): Promise<FakeWns> {
  const clock = options.clock ?? (() => new Date());
  const lifetime = options.tokenLifetimeSeconds ?? 86_400;
  const defaultClient: Required<FakeWnsClient> = {
    clientId: 'ms-app://S-1-15-2-1111111111-2222222222-3333333333-4444444444-5555555555-666666666-777777777',
    clientSecret: 'fake-wns-secret',
    tenant: 'fake-tenant',
  };
  const clients = [defaultClient, ...(options.clients ?? [])];
  const tokens = new Map<string, { clientId: string; expiresAt: number }>();
  const channels = new Map<string, ChannelSetup>();
  const cached = new Map<string, FakeWake & { expiresAt: number | null }>();
  const channelScripts = new Map<string, ScriptedAnswer[]>();
  const tokenScript: ScriptedAnswer[] = [];
  const listeners = new Set<(wake: FakeWake) => void>();
  const channelRequests: RecordedChannelRequest[] = [];
  const tokenRequests: RecordedTokenRequest[] = [];
  const hanging = new Set<ServerResponse>();
  let connectionCount = 0;

  const tlsMaterial = options.tls === false ? null : await selfSignedCertificate();
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  };
  const server: Server = tlsMaterial
    ? createHttpsServer({ key: tlsMaterial.key, cert: tlsMaterial.cert }, handler)
    : createHttpServer(handler);
  server.on(tlsMaterial ? 'secureConnection' : 'connection', () => {
    connectionCount += 1;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject); // e.g. EADDRINUSE on a fixed port
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const origin = `${tlsMaterial ? 'https' : 'http'}://127.0.0.1:${port}`;
  let agent: Agent | null = null;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', origin).pathname;
    const body = await readBody(req);
    if (path === '/accesstoken.srf') return answerToken(req, res, body, 'classic', null);
    const entra = ENTRA_PATH.exec(path);
    if (entra) return answerToken(req, res, body, 'entra', entra[1] ?? null);
    const channel = CHANNEL_PATH.exec(path);
    if (channel) return answerChannel(req, res, body, channel[1] ?? '');
    res.writeHead(404).end();
  }

  function answerToken(req: IncomingMessage, res: ServerResponse, body: Buffer | null, flow: 'classic' | 'entra', tenant: string | null): void {
    const form = Object.fromEntries(new URLSearchParams(body?.toString('utf8') ?? ''));
    const record = (status: number): void => {
      tokenRequests.push({ flow, tenant, form, status, at: clock() });
    };
    const scripted = tokenScript.shift();
    if (scripted) {
      record(scripted.status);
      return sendScripted(res, scripted);
    }
    const fail = (error: string): void => {
      record(400);
      json(res, 400, { error, error_description: 'The authentication failed.' });
    };
    if (req.method !== 'POST') return fail('invalid_request');
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return fail('invalid_request');
    if (form['grant_type'] !== 'client_credentials') return fail('unsupported_grant_type');
    const scopeOk =
      flow === 'classic'
        ? form['scope'] === 'notify.windows.com'
        : form['scope'] === 'https://wns.windows.com/.default' || form['scope'] === 'https://wns.windows.com/.default/';
    if (!scopeOk) return fail('invalid_scope');
    const client = clients.find((c) => c.clientId === form['client_id']);
    if (!client || client.clientSecret !== form['client_secret']) return fail('invalid_client');
    if (flow === 'entra' && client.tenant !== tenant) return fail('invalid_client');
    const accessToken = randomBytes(24).toString('base64url');
    tokens.set(accessToken, { clientId: client.clientId, expiresAt: clock().getTime() + lifetime * 1000 });
    record(200);
    if (flow === 'classic') {
      json(res, 200, { access_token: accessToken, token_type: 'bearer', ...(options.omitExpiresIn ? {} : { expires_in: lifetime }) });
    } else {
      const now = Math.floor(clock().getTime() / 1000);
      json(res, 200, {
        token_type: 'Bearer',
        expires_in: String(lifetime),
        ext_expires_in: String(lifetime),
        expires_on: String(now + lifetime),
        not_before: String(now),
        access_token: accessToken,
      });
    }
  }

  function answerChannel(req: IncomingMessage, res: ServerResponse, body: Buffer | null, channelId: string): void {
    const h = req.headers;
    const record = (status: number): void => {
      channelRequests.push({ channelId, method: req.method ?? '', headers: h, bodyLength: body?.length ?? -1, status, at: clock() });
    };
    const reply = (status: number, headers: Record<string, string> = {}): void => {
      record(status);
      const msCv = typeof h['ms-cv'] === 'string' ? h['ms-cv'] : `${randomBytes(16).toString('base64').slice(0, 22)}.0`;
      res.writeHead(status, {
        'x-wns-msg-id': randomBytes(8).toString('hex').toUpperCase(),
        'x-wns-debug-trace': `FAKE-${randomUUID()}`,
        'ms-cv': msCv,
        ...headers,
      });
      res.end();
    };
    const bad = (status: number, description: string): void => reply(status, { 'x-wns-error-description': description });

    const scripted = channelScripts.get(channelId)?.shift();
    if (scripted) {
      record(scripted.status);
      return sendScripted(res, scripted);
    }
    if (req.method !== 'POST') return bad(405, 'Only POST is allowed');
    const auth = /^Bearer (\S+)$/.exec(String(h['authorization'] ?? ''));
    const token = auth ? tokens.get(auth[1] ?? '') : undefined;
    if (!token || token.expiresAt <= clock().getTime()) return bad(401, 'Token is missing, invalid or expired');
    if (h['transfer-encoding'] !== undefined) return bad(400, 'Chunked transfer encoding is not supported');
    if (h['expect'] !== undefined) return bad(400, 'Expect is not supported');
    if (h['content-length'] === undefined) return bad(400, 'Content-Length is required');
    const type = h['x-wns-type'];
    if (type !== 'wns/raw' && type !== 'wns/toast' && type !== 'wns/tile' && type !== 'wns/badge') return bad(400, 'Invalid X-WNS-Type');
    const contentType = String(h['content-type'] ?? '');
    if (type === 'wns/raw' ? contentType !== 'application/octet-stream' : !contentType.startsWith('text/xml')) {
      return bad(400, 'Content-Type does not match X-WNS-Type');
    }
    if (body === null || body.length > MAX_RAW_BYTES) return bad(413, 'The notification payload exceeds the 5000 byte size limit');
    if (body.length === 0) return bad(400, 'Empty payload');
    const cachePolicy = String(h['x-wns-cache-policy'] ?? 'no-cache');
    if (cachePolicy !== 'cache' && cachePolicy !== 'no-cache') return bad(400, 'Invalid X-WNS-Cache-Policy');
    const ttlHeader = h['x-wns-ttl'];
    if (ttlHeader !== undefined && !/^\d{1,10}$/.test(String(ttlHeader))) return bad(400, 'Invalid X-WNS-TTL');
    const forStatus = h['x-wns-requestforstatus'];
    if (forStatus !== undefined && forStatus !== 'true' && forStatus !== 'false') return bad(400, 'Invalid X-WNS-RequestForStatus');

    const setup = channels.get(channelId) ?? {};
    if (setup.state === 'invalid') return bad(404, 'The channel URI is not valid');
    if (setup.state === 'expired') return bad(410, 'The channel expired');
    if (setup.ownerClientId !== undefined && setup.ownerClientId !== token.clientId) {
      return bad(403, 'The token does not match the credentials of the app that requested the channel');
    }

    const device = setup.device ?? 'connected';
    const wake: FakeWake = {
      channelId,
      payload: body,
      cachePolicy,
      ttlSeconds: ttlHeader === undefined ? null : Number(ttlHeader),
      msCv: typeof h['ms-cv'] === 'string' ? h['ms-cv'] : null,
      at: clock(),
      fromCache: false,
    };
    let status = 'received';
    if (device === 'connected') queueMicrotask(() => emit(wake));
    else if (cachePolicy === 'cache') {
      const expiresAt = wake.ttlSeconds === null ? null : wake.at.getTime() + wake.ttlSeconds * 1000;
      cached.set(channelId, { ...wake, fromCache: true, expiresAt }); // WNS keeps one cached raw notification
    } else status = 'dropped';
    const headers: Record<string, string> = { [options.legacyStatusHeader ? 'x-wns-notificationstatus' : 'x-wns-status']: status };
    if (forStatus === 'true') headers['x-wns-deviceconnectionstatus'] = device;
    reply(200, headers);
  }

  function sendScripted(res: ServerResponse, answer: ScriptedAnswer): void {
    if (answer.reset) {
      res.socket?.destroy();
      return;
    }
    if (answer.hang) {
      hanging.add(res);
      return;
    }
    res.writeHead(answer.status, answer.headers ?? {});
    res.end(answer.body ?? '');
  }

  function emit(wake: FakeWake): void {
    for (const listener of listeners) listener(wake);
  }

  return {
    origin,
    ca: tlsMaterial?.cert ?? null,
    classicTokenUrl: `${origin}/accesstoken.srf`,
    entraTokenUrl: `${origin}/{tenant}/oauth2/v2.0/token`,
    defaultClient,
    channelUri: (channelId = randomUUID()) => `${origin}/${channelId}`,
    dispatcher() {
      agent ??= new Agent({ connect: tlsMaterial ? { ca: tlsMaterial.cert } : {} });
      return agent;
    },
    addClient: (client) => clients.push(client),
    setupChannel: (channelId, setup) => channels.set(channelId, { ...channels.get(channelId), ...setup }),
    setDevice(channelId, connection) {
      channels.set(channelId, { ...channels.get(channelId), device: connection });
      const pending = cached.get(channelId);
      if (connection !== 'connected' || !pending) return;
      cached.delete(channelId);
      if (pending.expiresAt === null || pending.expiresAt > clock().getTime()) emit(pending);
    },
    scriptChannel(channelId, ...answers) {
      channelScripts.set(channelId, [...(channelScripts.get(channelId) ?? []), ...answers]);
    },
    scriptToken: (...answers) => tokenScript.push(...answers),
    revokeTokens: () => tokens.clear(),
    onWake(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    channelRequests,
    tokenRequests,
    requestsTo: (channelId) => channelRequests.filter((r) => r.channelId === channelId),
    connections: () => connectionCount,
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await agent?.close();
    },
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= READ_LIMIT) chunks.push(chunk as Buffer);
  }
  return size > READ_LIMIT ? null : Buffer.concat(chunks);
}

function json(res: ServerResponse, status: number, doc: unknown): void {
  const text = JSON.stringify(doc);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

let certificate: Promise<{ key: string; cert: string }> | null = null;

/** One self-signed certificate per process for 127.0.0.1 / localhost, made with openssl in a temp dir. */
function selfSignedCertificate(): Promise<{ key: string; cert: string }> {
  certificate ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-wns-'));
    try {
      const keyFile = join(dir, 'key.pem');
      const certFile = join(dir, 'cert.pem');
      await promisify(execFile)('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=127.0.0.1',
        '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ]);
      return { key: await readFile(keyFile, 'utf8'), cert: await readFile(certFile, 'utf8') };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })();
  return certificate;
}
