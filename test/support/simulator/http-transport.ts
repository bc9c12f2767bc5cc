/**
 * DmTransport over HTTP: POSTs each device message as application/vnd.syncml.dm+xml, the way the Windows DMClient
 * does (PROTOCOL.md a.1: User-Agent "MSFT OMA DM Client/1.2.0.1", `mode` and `Platform=WoA` appended to the
 * server URL), and parses the reply with the team's codec. `encoding: 'wbxml'` speaks application/vnd.syncml.dm+wbxml
 * instead (OMA-DM's binary encoding, which DMClient also supports: MS-MDM 2.1) and insists on a WBXML reply.
 * Only loopback servers unless `allowRemote`.
 */
import { request, type Dispatcher } from 'undici';
import { parseSyncML, serializeSyncML } from '../../../src/syncml/index.js';
import { CONTENT_TYPE_WBXML, CONTENT_TYPE_XML, type SyncML } from '../../../src/syncml/model.js';
import { decodeWbxml, encodeWbxml } from '../../../src/syncml/wbxml/index.js';
import type { DmTransport } from './dm-session.js';

export interface SyncMLCodec {
  parse(input: Uint8Array | string): SyncML;
  serialize(msg: SyncML): string;
}

export const defaultCodec: SyncMLCodec = { parse: (b) => parseSyncML(b), serialize: serializeSyncML };

/** How device messages go on the wire: XML (default, what Windows sends) or WBXML. */
export type SyncMLEncoding = 'xml' | 'wbxml';

export interface HttpTransportOptions {
  /** The XML codec (encoding 'xml'). */
  codec?: SyncMLCodec;
  /** Wire encoding of requests and expected replies (default 'xml'). */
  encoding?: SyncMLEncoding;
  dispatcher?: Dispatcher;
  /** Append `mode=Machine&Platform=WoA` to the URL of package 1 (default true). */
  windowsQuery?: boolean;
  /** Allow a server that is not on 127.0.0.1 / ::1 / localhost (default false). */
  allowRemote?: boolean;
  /** Extra request headers (e.g. an Authorization bearer for DEVICE_AUTH=proxy-header setups). */
  headers?: Record<string, string>;
  /** Raw bytes of every exchange (transcript capture): the request as XML text, or WBXML bytes. */
  onRaw?(url: string, request: string | Uint8Array, status: number, reply: Uint8Array): void;
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

/** The content type, encoder and decoder of one encoding. */
interface Wire {
  contentType: string;
  encode(message: SyncML): string | Uint8Array;
  decode(bytes: Uint8Array): SyncML;
}

function wireFor(options: HttpTransportOptions): Wire {
  if (options.encoding === 'wbxml') return { contentType: CONTENT_TYPE_WBXML, encode: (m) => encodeWbxml(m), decode: (b) => decodeWbxml(b) };
  const codec = options.codec ?? defaultCodec;
  return { contentType: CONTENT_TYPE_XML, encode: (m) => codec.serialize(m), decode: (b) => codec.parse(b) };
}

export function createHttpTransport(options: HttpTransportOptions = {}): DmTransport {
  const wire = wireFor(options);
  return {
    async exchange(message: SyncML, url: string): Promise<SyncML> {
      if (!options.allowRemote) assertLoopback(url);
      const target = message.header.msgID === '1' && (options.windowsQuery ?? true) ? withWindowsQuery(url) : url;
      const body = wire.encode(message);
      let res: Dispatcher.ResponseData;
      try {
        res = await request(target, {
          method: 'POST',
          headers: {
            'content-type': wire.contentType,
            accept: wire.contentType,
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
      if (type.split(';')[0]!.trim().toLowerCase() !== wire.contentType) {
        throw new DmHttpError(res.statusCode, target, `reply content type is "${type}", not ${wire.contentType}`);
      }
      try {
        return wire.decode(bytes);
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
