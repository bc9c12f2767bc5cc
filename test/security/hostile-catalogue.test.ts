/**
 * The hostile-input catalogue (issue 7 §3): every entry is sent to the real gateway on loopback and must get its defined
 * answer within a generous bound; after each one the gateway still serves a normal check-in; RSS stays loosely bounded.
 * Envelope and framing attacks run once (they never reach the store); attacks whose values reach the store run on SQLite
 * and PostgreSQL (describeOnBackends).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSyncML, type Status, type SyncML } from '../../src/syncml/index.js';
import { describeOnBackends, sqliteBackend, type TestDatabase } from '../support/databases.js';
import { rawRequest, startTrap } from './raw-http.js';
import { startSecureGateway, SYNCML_TYPE, type Answer, type SecureGateway } from './secure-gateway.js';
import { ALERT_1201, devInfo, rawSyncML } from './syncml-text.js';

const BOUND_MS = 20_000;
const SYNCML_PATH = '/ManagementServer/MDM.svc';

interface Ctx {
  gw: SecureGateway;
  db: TestDatabase;
}

interface HostileCase {
  name: string;
  run(ctx: Ctx): Promise<void>;
}

let checkInCounter = 0;

/** A normal package 1 of a fresh device answered normally: the gateway still serves. */
async function stillServes(gw: SecureGateway): Promise<void> {
  const id = `NORMAL-${process.pid}-${checkInCounter++}`;
  const answer = await gw.post(rawSyncML({ source: id, body: ALERT_1201 + devInfo('2', { DevId: id, Man: 'Contoso' }) }));
  expect(answer.status, answer.text).toBe(200);
  expect(headerStatus(parseSyncML(answer.text))).toBe('200');
}

function headerStatus(reply: SyncML): string | undefined {
  return reply.body.commands.find((c): c is Status => c.kind === 'Status' && c.cmdRef === '0')?.data;
}

function statuses(reply: SyncML): Array<[string, string, string]> {
  return reply.body.commands.filter((c): c is Status => c.kind === 'Status').map((s) => [s.cmdRef, s.cmd, s.data]);
}

/** 4xx with a short text/plain reason, no stack trace, no file contents. */
function refused(answer: Answer, status: number): void {
  expect(answer.status, answer.text).toBe(status);
  expect(answer.headers.get('content-type') ?? '').toMatch(/^text\/plain/);
  expect(answer.text.length).toBeLessThan(500);
  expect(answer.text).not.toMatch(/\n\s+at |node_modules|root:x:0/);
}

function within<T>(promise: Promise<T>, ms = BOUND_MS): Promise<T> {
  return Promise.race([promise, new Promise<never>((_r, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);
}

const repeat = (s: string, n: number) => s.repeat(n);

/** Parser, framing, encoding and content-type attacks: they must be refused before anything reaches the store. */
const envelopeCases: HostileCase[] = [
  {
    name: 'billion-laughs entity bomb in a DOCTYPE → 400',
    run: async ({ gw }) => {
      const bomb = `<?xml version="1.0"?><!DOCTYPE SyncML [<!ENTITY a "aaaaaaaaaa">${Array.from({ length: 9 }, (_, i) => `<!ENTITY ${String.fromCharCode(98 + i)} "${repeat(`&${String.fromCharCode(97 + i)};`, 10)}">`).join('')}]>`;
      refused(await gw.post(rawSyncML({ prolog: bomb, body: `<Alert><CmdID>1</CmdID><Data>&j;</Data></Alert>` })), 400);
    },
  },
  {
    name: 'external entity (file:///etc/passwd) → 400, nothing read',
    run: async ({ gw }) => {
      const answer = await gw.post(rawSyncML({ prolog: '<!DOCTYPE SyncML [<!ENTITY x SYSTEM "file:///etc/passwd">]>', source: '&x;' }));
      refused(answer, 400);
    },
  },
  {
    name: 'external parameter entity pointing at a loopback URL → 400, never fetched',
    run: async ({ gw }) => {
      const trap = await startTrap();
      try {
        const answer = await gw.post(rawSyncML({ prolog: `<!DOCTYPE SyncML [<!ENTITY % p SYSTEM "http://127.0.0.1:${trap.port}/x.dtd"> %p;]>` }));
        refused(answer, 400);
        expect(trap.connections()).toBe(0);
      } finally {
        await trap.close();
      }
    },
  },
  {
    name: 'undeclared entity reference → 400',
    run: async ({ gw }) => refused(await gw.post(rawSyncML({ source: 'DEV-&ent;' })), 400),
  },
  {
    name: 'processing instruction (xml-stylesheet) → 400',
    run: async ({ gw }) => refused(await gw.post(`<?xml version="1.0"?><?xml-stylesheet href="http://127.0.0.1:1/x.xsl"?>${rawSyncML()}`), 400),
  },
  {
    name: 'XInclude inside Data is data, not an instruction → 200, nothing included',
    run: async ({ gw }) => {
      const answer = await gw.post(
        rawSyncML({ body: `${ALERT_1201}<Alert><CmdID>2</CmdID><Data>1226</Data><Item><Data><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/></Data></Item></Alert>` }),
      );
      expect(answer.status).toBe(200);
      expect(answer.text).not.toContain('root:');
    },
  },
  {
    name: 'oversize body (2 MiB, honest Content-Length) → 413',
    run: async ({ gw }) => refused(await gw.post(rawSyncML({ body: `<Alert><CmdID>1</CmdID><Data>${'A'.repeat(2 * 1024 * 1024)}</Data></Alert>` })), 413),
  },
  {
    name: 'Content-Length announcing 64 MiB (no body sent) → 413 at once',
    run: async ({ gw }) => {
      const r = await rawRequest(gw.url, { chunks: [`POST ${SYNCML_PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: ${SYNCML_TYPE}\r\nContent-Length: 67108864\r\n\r\n`], timeoutMs: 8000 });
      expect(r.status).toBe(413);
    },
  },
  {
    name: 'lying Content-Length, smaller than the body sent (100 of 3 MiB) → 400 for the truncated XML',
    run: async ({ gw }) => {
      const body = rawSyncML({ body: `<Alert><CmdID>1</CmdID><Data>${'B'.repeat(3 * 1024 * 1024)}</Data></Alert>` });
      const r = await rawRequest(gw.url, { chunks: [`POST ${SYNCML_PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: ${SYNCML_TYPE}\r\nContent-Length: 100\r\n\r\n`, body], timeoutMs: 8000 });
      expect(r.status).toBe(400);
    },
  },
  {
    name: 'lying Content-Length, larger than the body sent, then silence → request timeout (408 or close), bounded',
    run: async ({ gw }) => {
      const r = await rawRequest(gw.url, {
        chunks: [`POST ${SYNCML_PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: ${SYNCML_TYPE}\r\nContent-Length: 5000\r\n\r\n`, rawSyncML().slice(0, 50)],
        timeoutMs: 15_000,
      });
      expect(r.closedByServer).toBe(true);
      expect([0, 408]).toContain(r.status);
    },
  },
  {
    name: 'chunked body beyond the limit (2 MiB in 64 KiB chunks) → 413',
    run: async ({ gw }) => {
      const chunk = Buffer.alloc(64 * 1024, 0x41);
      const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
      const r = await rawRequest(gw.url, {
        chunks: [`POST ${SYNCML_PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: ${SYNCML_TYPE}\r\nTransfer-Encoding: chunked\r\n\r\n`, ...Array.from({ length: 32 }, () => frame), '0\r\n\r\n'],
        timeoutMs: 10_000,
      });
      expect(r.status).toBe(413);
    },
  },
  {
    name: 'chunked encoding with an invalid chunk size → 400',
    run: async ({ gw }) => {
      const r = await rawRequest(gw.url, { chunks: [`POST ${SYNCML_PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: ${SYNCML_TYPE}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n`], timeoutMs: 8000 });
      expect(r.status).toBe(400);
    },
  },
  {
    name: 'Content-Length and Transfer-Encoding together (request smuggling) → 400',
    run: async ({ gw }) => {
      const body = rawSyncML();
      const r = await rawRequest(gw.url, {
        chunks: [`POST ${SYNCML_PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: ${SYNCML_TYPE}\r\nContent-Length: ${body.length}\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`],
        timeoutMs: 8000,
      });
      expect(r.status).toBe(400);
    },
  },
  {
    name: 'chunked body within the limit is read like any other → 200',
    run: async ({ gw }) => {
      const body = rawSyncML({ source: 'CHUNKED-OK' });
      const half = Math.floor(body.length / 2);
      const frames = [body.slice(0, half), body.slice(half)].map((p) => `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`);
      const r = await rawRequest(gw.url, { chunks: [`POST ${SYNCML_PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: ${SYNCML_TYPE}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`, ...frames, '0\r\n\r\n'], timeoutMs: 8000 });
      expect(r.status).toBe(200);
    },
  },
  {
    name: 'deep nesting (5,000 levels inside Data) → 400 too-deep',
    run: async ({ gw }) => {
      const deep = `${repeat('<a>', 5000)}x${repeat('</a>', 5000)}`;
      refused(await gw.post(rawSyncML({ body: `<Alert><CmdID>1</CmdID><Data>1201</Data><Item><Data>${deep}</Data></Item></Alert>` })), 400);
    },
  },
  {
    name: 'deeply nested Atomic (200 levels) → 400 too-deep',
    run: async ({ gw }) => {
      const open = Array.from({ length: 200 }, (_, i) => `<Atomic><CmdID>${i + 2}</CmdID>`).join('');
      refused(await gw.post(rawSyncML({ body: `${ALERT_1201}${open}${repeat('</Atomic>', 200)}` })), 400);
    },
  },
  {
    name: '100,000 tiny elements → 400 too-many-elements',
    run: async ({ gw }) => refused(await gw.post(rawSyncML({ body: `${ALERT_1201}<Alert><CmdID>2</CmdID><Data>1226</Data><Item><Data>${repeat('<b/>', 100_000)}</Data></Item></Alert>` })), 400),
  },
  {
    name: 'invalid UTF-8 (0xFF byte) → 400',
    run: async ({ gw }) => refused(await gw.post(Buffer.concat([Buffer.from(rawSyncML({ source: 'DEV-' })), Buffer.from([0xff, 0xfe])])), 400),
  },
  {
    name: 'overlong UTF-8 encoding of "/" (C0 AF) in a LocURI → 400',
    run: async ({ gw }) => {
      const [a, b] = rawSyncML({ source: 'DEV-SPLIT' }).split('SPLIT');
      refused(await gw.post(Buffer.concat([Buffer.from(a!), Buffer.from([0xc0, 0xaf]), Buffer.from(b!)])), 400);
    },
  },
  {
    name: 'UTF-8-encoded surrogate (ED A0 80) → 400',
    run: async ({ gw }) => {
      const [a, b] = rawSyncML({ source: 'DEV-SPLIT' }).split('SPLIT');
      refused(await gw.post(Buffer.concat([Buffer.from(a!), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(b!)])), 400);
    },
  },
  {
    name: 'raw NUL byte in element text → 400',
    run: async ({ gw }) => refused(await gw.post(rawSyncML({ source: 'DEV-\u0000-NUL' })), 400),
  },
  {
    name: 'NUL as a character reference (&#0;) → 400',
    run: async ({ gw }) => refused(await gw.post(rawSyncML({ source: 'DEV-&#0;-NUL' })), 400),
  },
  {
    name: 'UTF-16 body with BOM → 400',
    run: async ({ gw }) => refused(await gw.post(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(rawSyncML(), 'utf16le')])), 400),
  },
  {
    name: 'wrong content type (text/plain) → 415',
    run: async ({ gw }) => refused(await gw.post(rawSyncML(), { contentType: 'text/plain' }), 415),
  },
  {
    name: 'missing content type → 415',
    run: async ({ gw }) => refused(await gw.post(rawSyncML(), { contentType: null }), 415),
  },
  {
    name: 'content type application/json with a JSON body → 415',
    run: async ({ gw }) => refused(await gw.post('{"SyncML":{}}', { contentType: 'application/json' }), 415),
  },
  {
    name: 'legacy content type application/vnd.syncml+xml (with parameters) is accepted → 200, answered in kind',
    run: async ({ gw }) => {
      const answer = await gw.post(rawSyncML({ source: 'LEGACY-CT' }), { contentType: 'Application/VND.SyncML+XML; charset="UTF-8"' });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe('application/vnd.syncml+xml');
    },
  },
  {
    name: 'empty body → 400',
    run: async ({ gw }) => refused(await gw.post(''), 400),
  },
  {
    name: 'random binary → 400',
    run: async ({ gw }) => refused(await gw.post(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))), 400),
  },
  {
    name: 'well-formed XML that is not SyncML (foreign root, foreign namespace) → 400',
    run: async ({ gw }) => {
      refused(await gw.post('<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>'), 400);
      refused(await gw.post(rawSyncML().replace('SYNCML:SYNCML1.2', 'urn:evil')), 400);
    },
  },
  {
    name: 'SyncHdr missing its Source → 400',
    run: async ({ gw }) => refused(await gw.post(rawSyncML().replace(/<Source>.*?<\/Source>/, '')), 400),
  },
  {
    name: 'huge Source LocURI (512 KiB) → 400 (not a usable DeviceID)',
    run: async ({ gw }) => refused(await gw.post(rawSyncML({ source: 'D'.repeat(512 * 1024) })), 400),
  },
  {
    name: 'GET and PUT on the SyncML endpoint → 405 with Allow: POST',
    run: async ({ gw }) => {
      for (const method of ['GET', 'PUT']) {
        const r = await fetch(`${gw.url}${SYNCML_PATH}`, { method, ...(method === 'PUT' ? { body: 'x', headers: { 'content-type': SYNCML_TYPE } } : {}) });
        expect(r.status).toBe(405);
        expect(r.headers.get('allow')).toBe('POST');
      }
    },
  },
  {
    name: 'a 32 KiB header → 431, connection closed',
    run: async ({ gw }) => {
      const r = await rawRequest(gw.url, { chunks: [`POST ${SYNCML_PATH} HTTP/1.1\r\nHost: x\r\nX-Big: ${'h'.repeat(32 * 1024)}\r\nContent-Length: 0\r\n\r\n`], timeoutMs: 8000 });
      expect(r.status).toBe(431);
    },
  },
  {
    name: 'slowloris: headers never finished → the connection is closed by the server, bounded',
    run: async ({ gw }) => {
      const r = await rawRequest(gw.url, { chunks: [`POST ${SYNCML_PATH} HTTP/1.1\r\nHost: x\r\n`, 'X-A: 1\r\n', 'X-B: 2\r\n'], pauseMs: 500, timeoutMs: 15_000 });
      expect(r.closedByServer).toBe(true);
    },
  },
  {
    name: 'WBXML content type with garbage bytes → 4xx, never 500',
    run: async ({ gw }) => {
      const answer = await gw.post(Buffer.from([0x02, 0x00, 0x00, 0x6a, 0xff, 0xff, 0xff, 0xff]), { contentType: 'application/vnd.syncml.dm+wbxml' });
      expect([400, 413, 415]).toContain(answer.status);
    },
  },
];

/** Values that pass the parser and reach the session engine and the store. */
const valueCases: HostileCase[] = [
  {
    name: 'huge Item LocURI (300 KiB) in a DevInfo Replace → 200 with a defined Status',
    run: async ({ gw }) => {
      const answer = await gw.post(rawSyncML({ source: 'HUGE-LOCURI', body: `${ALERT_1201}<Replace><CmdID>2</CmdID><Item><Source><LocURI>./DevInfo/${'x'.repeat(300 * 1024)}</LocURI></Source><Data>1</Data></Item></Replace>` }));
      expect(answer.status).toBe(200);
      expect(statuses(parseSyncML(answer.text)).map((s) => s[0])).toEqual(['0', '1', '2']);
    },
  },
  {
    name: 'huge Data (900 KiB) in a generic alert → 200, stored, the gateway fine',
    run: async ({ gw }) => {
      const answer = await gw.post(rawSyncML({ source: 'HUGE-DATA', body: `${ALERT_1201}<Alert><CmdID>2</CmdID><Data>1226</Data><Item><Meta><Type xmlns="syncml:metinf">x</Type></Meta><Data>${'D'.repeat(900 * 1024)}</Data></Item></Alert>` }));
      expect(answer.status).toBe(200);
      expect(statuses(parseSyncML(answer.text))[2]).toEqual(['2', 'Alert', '200']);
    },
  },
  {
    name: 'colliding CmdIDs → the first is processed, the repeat gets 400',
    run: async ({ gw }) => {
      const answer = await gw.post(rawSyncML({ source: 'CMDID-COLLIDE', body: `${ALERT_1201}<Alert><CmdID>1</CmdID><Data>1224</Data></Alert>${devInfo('1', { DevId: 'CMDID-COLLIDE' })}` }));
      expect(answer.status).toBe(200);
      expect(statuses(parseSyncML(answer.text))).toEqual([['0', 'SyncHdr', '200'], ['1', 'Alert', '200'], ['1', 'Alert', '400'], ['1', 'Replace', '400']]);
    },
  },
  {
    name: 'a 5,000-digit CmdID → 200, answered by reference',
    run: async ({ gw }) => {
      const id = '9'.repeat(5000);
      const answer = await gw.post(rawSyncML({ source: 'CMDID-LONG', body: `${ALERT_1201}<Alert><CmdID>${id}</CmdID><Data>1224</Data></Alert>` }));
      expect(answer.status).toBe(200);
      expect(statuses(parseSyncML(answer.text))[2]?.[0]).toBe(id);
    },
  },
  {
    name: 'negative MsgID → SyncHdr 400, Statuses only',
    run: async ({ gw }) => {
      const reply = parseSyncML((await gw.post(rawSyncML({ source: 'MSGID-NEG', msgID: '-5' }))).text);
      expect(headerStatus(reply)).toBe('400');
      expect(reply.body.commands.every((c) => c.kind === 'Status')).toBe(true);
    },
  },
  {
    name: 'enormous MsgID (40 digits) → SyncHdr 400',
    run: async ({ gw }) => expect(headerStatus(parseSyncML((await gw.post(rawSyncML({ source: 'MSGID-BIG', msgID: '9'.repeat(40) }))).text))).toBe('400'),
  },
  {
    name: 'huge SessionID (64 KiB) → answered (SessionID is opaque) and echoed exactly',
    run: async ({ gw }) => {
      const sid = 'S'.repeat(64 * 1024);
      const answer = await gw.post(rawSyncML({ source: 'SESSION-BIG', sessionID: sid }));
      expect(answer.status).toBe(200);
      expect(parseSyncML(answer.text).header.sessionID).toBe(sid);
    },
  },
  {
    name: 'SQL in the DeviceID is stored as data; every table survives',
    run: async ({ gw, db }) => {
      const id = `x'); DROP TABLE devices; DELETE FROM commands; --`;
      const answer = await gw.post(rawSyncML({ source: id.replace(/'/g, '&apos;'), body: ALERT_1201 + devInfo('2', { DevId: 'sql' }) }));
      expect(answer.status).toBe(200);
      const got = await gw.api('GET', `/api/v1/devices/${encodeURIComponent(id)}`);
      expect(got.status).toBe(200);
      expect(got.body.deviceId).toBe(id);
      expect(Number((await db.dataSource.query('SELECT COUNT(*) AS n FROM devices'))[0].n)).toBeGreaterThan(0);
    },
  },
  {
    name: 'path tricks in the DeviceID (../../etc/passwd, %2e%2e%2f, backslashes) are stored literally',
    run: async ({ gw }) => {
      for (const id of ['../../../../etc/passwd', '%2e%2e%2f%2e%2e%2fdata', '..\\..\\windows\\system32']) {
        expect((await gw.post(rawSyncML({ source: id }))).status).toBe(200);
        const got = await gw.api('GET', `/api/v1/devices/${encodeURIComponent(id)}`);
        expect(got.status, id).toBe(200);
        expect(got.body.deviceId).toBe(id);
      }
    },
  },
  {
    name: 'markup and bidi controls in the DeviceID are kept as text; the API returns them JSON-escaped',
    run: async ({ gw }) => {
      const id = '<script>alert(1)</script>\u202Eevil';
      expect((await gw.post(rawSyncML({ source: '&lt;script&gt;alert(1)&lt;/script&gt;\u202Eevil' }))).status).toBe(200);
      expect((await gw.api('GET', `/api/v1/devices/${encodeURIComponent(id)}`)).body.deviceId).toBe(id);
    },
  },
  {
    name: 'DeviceID of 257 characters, empty, or white space → 400',
    run: async ({ gw }) => {
      for (const id of ['E'.repeat(257), '', '   ']) refused(await gw.post(rawSyncML({ source: id })), 400);
    },
  },
  {
    name: 'control character in the DeviceID via &#1; → 400 (not XML 1.0)',
    run: async ({ gw }) => refused(await gw.post(rawSyncML({ source: 'DEV-&#1;' })), 400),
  },
  {
    name: '1,500 commands in one message (over the 1,000 processed per message) → 200, the excess answered 417 unprocessed',
    run: async ({ gw }) => {
      const body = ALERT_1201 + Array.from({ length: 1500 }, (_, i) => `<Alert><CmdID>${i + 2}</CmdID><Data>1224</Data></Alert>`).join('');
      const answer = await gw.post(rawSyncML({ source: 'MANY-COMMANDS', body }));
      expect(answer.status).toBe(200);
      const codes = statuses(parseSyncML(answer.text)).map((s) => s[2]);
      expect(codes).toContain('417');
      expect(codes.length).toBe(1502);
    },
  },
  {
    name: 'absurd MaxMsgSize / MaxObjSize in the SyncHdr Meta → 200 or 400, never 500',
    run: async ({ gw }) => {
      for (const v of ['0', '-1', '99999999999999999999', 'abc']) {
        const answer = await gw.post(rawSyncML({ source: `META-${v.length}`, headerExtra: `<Meta><MaxMsgSize xmlns="syncml:metinf">${v}</MaxMsgSize><MaxObjSize xmlns="syncml:metinf">${v}</MaxObjSize></Meta>` }));
        expect([200, 400]).toContain(answer.status);
      }
    },
  },
  {
    name: 'a Cred in none mode is ignored; a Status for the SyncHdr without CmdRef is accepted (liberal)',
    run: async ({ gw }) => {
      const cred = '<Cred><Meta><Type xmlns="syncml:metinf">syncml:auth-md5</Type></Meta><Data>!!!</Data></Cred>';
      expect((await gw.post(rawSyncML({ source: 'CRED-NONE', headerExtra: cred }))).status).toBe(200);
      const hdrStatusNoRef = '<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>';
      expect((await gw.post(rawSyncML({ source: 'CRED-NONE', msgID: '2', body: hdrStatusNoRef }))).status).toBe(200);
    },
  },
  {
    name: 'elements in unusual order (Meta before Target, MsgRef before CmdID, Final first) are read liberally → 200',
    run: async ({ gw }) => {
      const body =
        '<Final/><Alert><Data>1201</Data><CmdID>1</CmdID></Alert>' +
        '<Replace><CmdID>2</CmdID><Item><Data>ORDER-DEV</Data><Source><LocURI>./DevInfo/DevId</LocURI></Source></Item></Replace>';
      const answer = await gw.post(rawSyncML({ source: 'ORDER-DEV', body, final: false }));
      expect(answer.status).toBe(200);
      expect(statuses(parseSyncML(answer.text))).toEqual([['0', 'SyncHdr', '200'], ['1', 'Alert', '200'], ['2', 'Replace', '200']]);
    },
  },
];

/**
 * A command without a CmdID, or with CmdID "0", gets a Status 400 with a blank CmdRef (OMA-SUP); this used to end in a
 * 500 because the serializer refused a blank CmdRef. Kept as its own group as the regression test for that fault.
 */
const blankCmdRefCases: HostileCase[] = [
  {
    name: 'a command without a CmdID → answered (400 for it), not 500',
    run: async ({ gw }) => {
      const answer = await gw.post(rawSyncML({ source: 'CMDID-MISSING', body: `${ALERT_1201}<Alert><Data>1224</Data></Alert>` }));
      expect(answer.status).toBe(200);
    },
  },
  {
    name: 'CmdID "0" → answered (400 for it), not 500',
    run: async ({ gw }) => {
      const answer = await gw.post(rawSyncML({ source: 'CMDID-ZERO', body: `${ALERT_1201}<Alert><CmdID>0</CmdID><Data>1224</Data></Alert>` }));
      expect(answer.status).toBe(200);
    },
  },
];

/** Internal faults in the log. */
function unexpectedFaults(gw: SecureGateway): unknown[] {
  return gw.logs().filter((l) => l.msg === 'syncml exchange failed');
}

function catalogue(title: string, cases: HostileCase[], setup: () => Promise<Ctx>) {
  let ctx: Ctx;
  let rssBefore = 0;
  beforeAll(async () => {
    ctx = await setup();
    await stillServes(ctx.gw);
    rssBefore = process.memoryUsage().rss;
  });
  afterAll(async () => {
    await ctx?.gw.close();
    await ctx?.db.dispose();
  });
  for (const c of cases) {
    it(c.name, async () => {
      await within(c.run(ctx));
      await within(stillServes(ctx.gw));
    }, 40_000);
  }
  it(`${title}: memory stays bounded (RSS growth under 512 MiB after ${cases.length} hostile requests)`, () => {
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(512 * 1024 * 1024);
    expect(unexpectedFaults(ctx.gw)).toEqual([]);
  });
}

describe('hostile envelopes, framing and encodings [sqlite]', () => {
  catalogue('envelopes', envelopeCases, async () => {
    const db = await sqliteBackend.create();
    const gw = await startSecureGateway(db, { env: { REQUEST_TIMEOUT_MS: '3000', RATE_LIMIT_DEVICE: '0' } });
    return { gw, db };
  });
});

describe('hostile values: blank CmdRef regression [sqlite]', () => {
  let ctx: Ctx;
  beforeAll(async () => {
    const db = await sqliteBackend.create();
    ctx = { db, gw: await startSecureGateway(db, { env: { RATE_LIMIT_DEVICE: '0' } }) };
  });
  afterAll(async () => {
    await ctx.gw.close();
    await ctx.db.dispose();
  });
  for (const c of blankCmdRefCases) {
    it(c.name, () => within(c.run(ctx)));
  }
  it('keeps serving afterwards', () => within(stillServes(ctx.gw)));
});

describeOnBackends('hostile values reaching the store', (backend) => {
  catalogue('values', valueCases, async () => {
    const db = await backend.create();
    const gw = await startSecureGateway(db, { env: { REQUEST_TIMEOUT_MS: '10000', RATE_LIMIT_DEVICE: '0' } });
    return { gw, db };
  });
});

export { blankCmdRefCases, envelopeCases, valueCases };
