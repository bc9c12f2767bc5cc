/**
 * The session service over the real store (SQLite, and PostgreSQL when reachable) and the real XML codec: a device
 * message in, the reply out, everything it implies stored; retry on a stale session; notes logged.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createSyncMLMeasure } from '../../src/session/measure.js';
import type { SessionPorts } from '../../src/session/ports.js';
import { createSessionService, type SessionService } from '../../src/session/service.js';
import { createStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/roles.js';
import { parseSyncML, serializeSyncML, type SyncML } from '../../src/syncml/index.js';
import { describeOnBackends, type TestDatabase } from '../support/databases.js';
import { answerReply, answersFrom, DEVICE_ID, deviceMessage, package1, SERVER_URI, serverCommands, status } from '../support/syncml-builders.js';
import { CHANNEL, CHANNEL_PATH, PFN, PROVIDER_ID, STATUS_PATH } from './conversation.js';

const CONTENT_TYPE = 'application/vnd.syncml.dm+xml';
const OS = './DevDetail/SwV';

function logCapture(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino<never>({ level: 'info' }, stream), lines };
}

describeOnBackends('session service', (backend) => {
  let db: TestDatabase;
  let store: Store;
  let now: Date;
  let logs: ReturnType<typeof logCapture>;

  const serviceOver = (ports: SessionPorts): SessionService =>
    createSessionService({ ports, clock: () => now, options: { serverURI: SERVER_URI, ...createSyncMLMeasure(serializeSyncML) }, logger: logs.logger });

  /** Over the wire: serialize the device message, parse it as the HTTP route would, encode the reply. */
  async function exchange(service: SessionService, message: SyncML): Promise<SyncML> {
    const requestBytes = Buffer.from(serializeSyncML(message));
    const { reply, replyBytes } = await service.handle({
      message: parseSyncML(requestBytes),
      requestBytes,
      contentType: CONTENT_TYPE,
      encode: (m) => Buffer.from(serializeSyncML(m)),
    });
    expect(parseSyncML(replyBytes)).toEqual(reply);
    return reply;
  }

  /** A complete first session, so the device is known to the store (commands are queued for known devices only). */
  async function checkIn(service: SessionService, sessionID = '0'): Promise<void> {
    const r1 = await exchange(service, package1({ sessionID }));
    await exchange(service, deviceMessage({ msgID: 2, sessionID }, answerReply(r1, answersFrom({ [CHANNEL_PATH]: CHANNEL, [STATUS_PATH]: '0' }))));
  }

  beforeAll(async () => {
    db = await backend.create();
  });
  afterAll(() => db.dispose());
  beforeEach(async () => {
    await db.reset();
    now = new Date('2025-03-01T10:00:00Z');
    logs = logCapture();
    store = createStore(db.dataSource, { secretKey: randomBytes(32), defaultProviderId: PROVIDER_ID, clock: () => now });
    await store.putProvider(PROVIDER_ID, { pfn: PFN });
  });

  it('first check-in: provisions the PFN, stores ChannelURI and Push/Status, ends the session', async () => {
    const service = serviceOver(store);
    const r1 = await exchange(service, package1());
    expect(serverCommands(r1).map((c) => c.kind)).toEqual(['Replace', 'Get', 'Get']);
    const r2 = await exchange(service, deviceMessage({ msgID: 2 }, answerReply(r1, answersFrom({ [CHANNEL_PATH]: CHANNEL, [STATUS_PATH]: '0' }))));
    expect(serverCommands(r2)).toEqual([]);
    const device = await store.getDevice(DEVICE_ID);
    expect(device).toMatchObject({ devInfo: { DevId: DEVICE_ID, Man: 'Contoso' }, push: { provisionedPfn: PFN, status: 0, channel: { channelUri: CHANNEL } } });
    const sessions = await store.listSessions(DEVICE_ID);
    expect(sessions.items).toEqual([expect.objectContaining({ sessionId: '1', ended: true, trigger: '1201' })]);
  });

  it('a woken session delivers queued commands and stores their Results; a later session does not resend the PFN', async () => {
    const service = serviceOver(store);
    await checkIn(service, '1');
    const get = await store.enqueueCommand(DEVICE_ID, { verb: 'Get', target: OS });
    const replace = await store.enqueueCommand(DEVICE_ID, { verb: 'Replace', target: './Vendor/MSFT/Example', data: 'v', format: 'chr' });
    now = new Date(now.getTime() + 60_000);
    const r1 = await exchange(service, package1({ sessionID: '2', trigger: '1200' }));
    expect(serverCommands(r1).map((c) => c.kind)).toEqual(['Get', 'Get', 'Get', 'Replace']);
    await exchange(service, deviceMessage({ msgID: 2, sessionID: '2' }, answerReply(r1, answersFrom({ [CHANNEL_PATH]: CHANNEL, [STATUS_PATH]: '0', [OS]: '10.0.26100' }))));
    expect(await store.getCommand(DEVICE_ID, get.id)).toMatchObject({ state: 'done', status: '200', outcome: { results: [{ source: OS, data: '10.0.26100' }] } });
    expect(await store.getCommand(DEVICE_ID, replace.id)).toMatchObject({ state: 'done', status: '200' });
  });

  it('a session broken halfway: its commands are delivered in the next session', async () => {
    const service = serviceOver(store);
    await checkIn(service);
    const cmd = await store.enqueueCommand(DEVICE_ID, { verb: 'Get', target: OS });
    await exchange(service, package1());
    expect(await store.getCommand(DEVICE_ID, cmd.id)).toMatchObject({ state: 'sent', attempts: 1 });
    // The device closes its package without answering: the session ends, the command goes back to the queue.
    await exchange(service, deviceMessage({ msgID: 2 }, [status('1', '1', '0', 'SyncHdr', '200')]));
    expect(await store.getCommand(DEVICE_ID, cmd.id)).toMatchObject({ state: 'queued' });
    const r = await exchange(service, package1({ sessionID: '2' }));
    expect(serverCommands(r).map((c) => ('items' in c ? c.items[0]?.target?.locURI : c.kind))).toContain(OS);
    expect(await store.getCommand(DEVICE_ID, cmd.id)).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('answers again on fresh state when another process moved the session on', async () => {
    const service = serviceOver(store);
    const r1 = await exchange(service, package1());
    let interfered = false;
    // Another gateway process commits the same session between our load and our commit (once).
    const racing: SessionPorts = {
      async loadForMessage(deviceId, sessionId, limit) {
        const load = await store.loadForMessage(deviceId, sessionId, limit);
        if (!interfered && load.session) {
          interfered = true;
          await store.commitExchange({ session: load.session, expectedVersion: load.session.version, effects: [] });
        }
        return load;
      },
      commitExchange: (change) => store.commitExchange(change),
    };
    const r2 = await exchange(serviceOver(racing), deviceMessage({ msgID: 2 }, answerReply(r1, answersFrom({ [CHANNEL_PATH]: CHANNEL, [STATUS_PATH]: '0' }))));
    expect(interfered).toBe(true);
    expect(r2.header.msgID).toBe('2');
    expect(logs.lines.map((l) => l['msg'])).toContain('session changed meanwhile; answering again on fresh state');
    expect((await store.getDevice(DEVICE_ID))?.push.channel?.channelUri).toBe(CHANNEL);
  });

  it('logs an unknown Status reference and answers normally', async () => {
    const service = serviceOver(store);
    const r1 = await exchange(service, package1());
    const answers = answerReply(r1, answersFrom({ [CHANNEL_PATH]: CHANNEL, [STATUS_PATH]: '0' }));
    await exchange(service, deviceMessage({ msgID: 2 }, [...answers, status('99', '1', '77', 'Get', '200')]));
    expect(logs.lines).toContainEqual(
      expect.objectContaining({ level: 40, note: 'unknown-status-reference', deviceId: DEVICE_ID, details: { msgRef: '1', cmdRef: '77', cmd: 'Get', status: '200' } }),
    );
  });

  it('a replayed message gets the same reply and changes nothing', async () => {
    const service = serviceOver(store);
    await checkIn(service);
    const cmd = await store.enqueueCommand(DEVICE_ID, { verb: 'Get', target: OS });
    const m1 = package1();
    const a = await exchange(service, m1);
    const b = await exchange(service, m1);
    expect(b).toEqual(a);
    expect(await store.getCommand(DEVICE_ID, cmd.id)).toMatchObject({ state: 'sent', attempts: 1 });
  });

  it('recognises a retransmission by the digest of its bytes; the same MsgID in other bytes is not a retransmission', async () => {
    const service = serviceOver(store);
    await checkIn(service);
    const cmd = await store.enqueueCommand(DEVICE_ID, { verb: 'Get', target: OS });
    const send = async (bytes: Buffer) =>
      (await service.handle({ message: parseSyncML(bytes), requestBytes: bytes, contentType: CONTENT_TYPE, encode: (m) => Buffer.from(serializeSyncML(m)) })).replyBytes;
    const bytes = Buffer.from(serializeSyncML(package1()));
    const first = await send(bytes);
    // The same body again (a lost HTTP response): the stored reply, byte for byte, and nothing applied twice.
    expect(Buffer.from(await send(Buffer.from(bytes)))).toEqual(Buffer.from(first));
    expect(await store.getCommand(DEVICE_ID, cmd.id)).toMatchObject({ state: 'sent', attempts: 1 });
    // The same message re-encoded (an XML declaration and line breaks added): not the body the device sent, refused.
    const reencoded = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${serializeSyncML(package1()).replace(/></g, '>\n<')}`);
    expect(parseSyncML(reencoded)).toEqual(parseSyncML(bytes));
    const refused = parseSyncML(await send(reencoded));
    expect(refused.body.commands[0]).toMatchObject({ kind: 'Status', cmdRef: '0', data: '400' });
    expect(await store.getCommand(DEVICE_ID, cmd.id)).toMatchObject({ state: 'sent', attempts: 1 });
  });
});
