/**
 * DmTransport over HTTP: POSTs each device message as application/vnd.syncml.dm+xml, the way the Windows DMClient
 * does (PROTOCOL.md a.1: User-Agent "MSFT OMA DM Client/1.2.0.1", `mode` and `Platform=WoA` appended to the
 * server URL), and parses the reply with the team's codec. Only loopback servers unless `allowRemote`.
 */
import { request, type Dispatcher } from 'undici';
import { parseSyncML, serializeSyncML } from '../../../src/syncml/index.js';
import { CONTENT_TYPE_XML, type SyncML } from '../../../src/syncml/model.js';
import type { DmTransport } from './dm-session.js';

export interface SyncMLCodec {
  parse(input: Uint8Array | string): SyncML;
  serialize(msg: SyncML): string;
}

export const defaultCodec: SyncMLCodec = { parse: (b) => parseSyncML(b), serialize: serializeSyncML };

export interface HttpTransportOptions {
  codec?: SyncMLCodec;
  dispatcher?: Dispatcher;
  /** Append `mode=Machine&Platform=WoA` to the URL of package 1 (default true). */
  windowsQuery?: boolean;
  /** Allow a server that is not on 127.0.0.1 / ::1 / localhost (default false). */
  allowRemote?: boolean;
  /** Extra request headers (e.g. an Authorization bearer for DEVICE_AUTH=proxy-header setups). */
  headers?: Record<string, string>;
  /** Raw bytes of every exchange (transcript capture). */
  onRaw?(url: string, request: string, status: number, reply: Uint8Array): void;
}

export class DmHttpError extends Error {
  constructor(
    readonly status: number,
    readonly url: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DmHttpError';
  }
}

const LOOPBACK = new Set(['127.0.0.1', '[::1]', '::1', 'localhost']);

export function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (!LOOPBACK.has(host)) throw new Error(`refusing to send device traffic to ${host}: not loopback (set allowRemote)`);
}

export function createHttpTransport(options: HttpTransportOptions = {}): DmTransport {
  const codec = options.codec ?? defaultCodec;
  return {
    async exchange(message: SyncML, url: string): Promise<SyncML> {
      if (!options.allowRemote) assertLoopback(url);
      const target = message.header.msgID === '1' && (options.windowsQuery ?? true) ? withWindowsQuery(url) : url;
      const body = codec.serialize(message);
      let res: Dispatcher.ResponseData;
      try {
        res = await request(target, {
          method: 'POST',
          headers: {
            'content-type': CONTENT_TYPE_XML,
            accept: CONTENT_TYPE_XML,
            'user-agent': 'MSFT OMA DM Client/1.2.0.1',
            ...options.headers,
          },
          body,
          ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
        });
      } catch (cause) {
        throw new DmHttpError(0, target, `POST ${target} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
      }
      const bytes = new Uint8Array(await res.body.arrayBuffer());
      options.onRaw?.(target, body, res.statusCode, bytes);
      if (res.statusCode !== 200) {
        const text = Buffer.from(bytes).toString('utf8').slice(0, 200);
        throw new DmHttpError(res.statusCode, target, `POST ${target} answered HTTP ${res.statusCode}: ${text}`);
      }
      const type = String(res.headers['content-type'] ?? '');
      if (!type.startsWith(CONTENT_TYPE_XML)) throw new DmHttpError(res.statusCode, target, `reply content type is "${type}", not ${CONTENT_TYPE_XML}`);
      try {
        return codec.parse(bytes);
      } catch (cause) {
        throw new DmHttpError(res.statusCode, target, `reply is not valid SyncML: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
      }
    },
  };
}

function withWindowsQuery(url: string): string {
  const u = new URL(url);
  if (!u.searchParams.has('mode')) u.searchParams.set('mode', 'Machine');
  if (!u.searchParams.has('Platform')) u.searchParams.set('Platform', 'WoA');
  return u.toString();
}
