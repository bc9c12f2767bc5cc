/**
 * The packager's sizes (src/session/measure.ts). The composition root measures a command by serializing the command
 * alone (serializeSyncMLCommand); that must be exactly what the command adds to a serialized message, or the MaxMsgSize
 * splitting would be off. Checked against the message-difference measure on every codec fixture and WBXML sample
 * message, and against whole serialized replies.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSyncMLMeasure } from '../../src/session/measure.js';
import { parseSyncML, serializeSyncML, serializeSyncMLCommand, type SyncML } from '../../src/syncml/index.js';
import { sampleMessages } from '../syncml/wbxml/sample-messages.js';

const byCommand = createSyncMLMeasure(serializeSyncML, serializeSyncMLCommand);
const byMessage = createSyncMLMeasure(serializeSyncML);

const fixturesDir = join(import.meta.dirname, '..', 'syncml', 'fixtures');
const messages: Array<[string, SyncML]> = [
  ...readdirSync(fixturesDir)
    .filter((n) => n.endsWith('.xml'))
    .sort()
    .map((n) => [n, parseSyncML(readFileSync(join(fixturesDir, n)))] as [string, SyncML]),
  ...Object.entries(sampleMessages),
];

function serializable(msg: SyncML): boolean {
  try {
    serializeSyncML(msg);
    return true;
  } catch {
    return false;
  }
}

describe('measuring a command by serializing it alone', () => {
  const usable = messages.filter(([, msg]) => serializable(msg));

  it('gives what the command adds to a message, for every command of every fixture', () => {
    expect(usable.length).toBeGreaterThan(30);
    let commands = 0;
    for (const [name, msg] of usable) {
      for (const command of msg.body.commands) {
        expect(byCommand.measure(command), `${name}: ${command.kind}`).toBe(byMessage.measure(command));
        commands++;
      }
    }
    expect(commands).toBeGreaterThan(50);
  });

  it('adds up, with the envelope, to the serialized size of the whole message (non-ASCII text included)', () => {
    const unicode: SyncML = {
      header: { verDTD: '1.2', verProto: 'DM/1.2', sessionID: 'é1', msgID: '2', target: { locURI: 'ü-device' }, source: { locURI: 'https://mdm.example/' } },
      body: { commands: [{ kind: 'Replace', cmdID: '2', items: [{ target: { locURI: './Vendor/Ω' }, data: { kind: 'text', text: '€ < & 😀' } }] }], final: false },
    };
    for (const [name, msg] of [...usable, ['unicode', unicode] as [string, SyncML]]) {
      const withFinal: SyncML = { ...msg, body: { ...msg.body, final: true } };
      const summed = withFinal.body.commands.reduce((n, c) => n + byCommand.measure(c), byCommand.measureEnvelope(withFinal.header));
      expect(summed, name).toBe(Buffer.byteLength(serializeSyncML(withFinal), 'utf8'));
    }
  });

  it('refuses what the serializer refuses, like the whole-message measure', () => {
    const nested = { kind: 'Atomic', cmdID: '1', commands: [{ kind: 'Status', cmdID: '2', msgRef: '1', cmdRef: '1', cmd: 'Get', data: '200', items: [] }] } as never;
    expect(() => byMessage.measure(nested)).toThrow();
    expect(() => byCommand.measure(nested)).toThrow();
  });
});
