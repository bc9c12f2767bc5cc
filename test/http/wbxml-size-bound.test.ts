/**
 * The session engine packages replies under the device's MaxMsgSize with sizes measured by the XML serializer
 * (src/app/compose.ts: createSyncMLMeasure(serializeSyncML, serializeSyncMLCommand)), also when the reply goes out in
 * WBXML. That is safe only if WBXML is never larger than XML — per command (the engine sums command sizes) and per
 * envelope. Checked here on every codec fixture, the WBXML sample messages, the shapes the engine sends, and generated
 * commands.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSyncMLMeasure } from '../../src/session/measure.js';
import { parseSyncML, serializeSyncML, serializeSyncMLCommand } from '../../src/syncml/index.js';
import type { Command, SyncML } from '../../src/syncml/model.js';
import { encodeWbxml } from '../../src/syncml/wbxml/index.js';
import { sampleMessages } from '../syncml/wbxml/sample-messages.js';

const fixturesDir = join(import.meta.dirname, '..', 'syncml', 'fixtures');
const xmlMeasure = createSyncMLMeasure(serializeSyncML, serializeSyncMLCommand);
const wbxmlMeasure = createSyncMLMeasure((m) => encodeWbxml(m));

/** Messages both encoders accept (the serializer refuses some parsed inputs, e.g. Unknown commands named like a verb). */
function encodable(msg: SyncML): boolean {
  try {
    serializeSyncML(msg);
    encodeWbxml(msg);
    return true;
  } catch {
    return false;
  }
}

function expectBounded(msg: SyncML): void {
  expect(encodeWbxml(msg).byteLength).toBeLessThanOrEqual(Buffer.byteLength(serializeSyncML(msg)));
  expect(wbxmlMeasure.measureEnvelope(msg.header)).toBeLessThanOrEqual(xmlMeasure.measureEnvelope(msg.header));
  for (const command of msg.body.commands) {
    if (!encodable({ header: msg.header, body: { commands: [command], final: true } })) continue;
    expect(wbxmlMeasure.measure(command), command.kind).toBeLessThanOrEqual(xmlMeasure.measure(command));
  }
}

const fixtures = readdirSync(fixturesDir)
  .filter((n) => n.endsWith('.xml'))
  .sort()
  .map((n) => [n, parseSyncML(readFileSync(join(fixturesDir, n)))] as const)
  .filter(([, msg]) => encodable(msg));

const header = sampleMessages.serverReply!.header;

describe('WBXML size is bounded by the XML size the engine measures', () => {
  it('holds for most codec fixtures (the rest are refused by both encoders)', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(30);
  });

  it.each(fixtures)('%s', (_name, msg) => expectBounded(msg));

  it.each(Object.entries(sampleMessages))('sample message %s', (_name, msg) => expectBounded(msg));

  it('holds for what the engine sends: Status with originalerror, xml Data, CR and escapes, Meta on another code page', () => {
    const commands: Command[] = [
      { kind: 'Status', cmdID: '1', msgRef: '1', cmdRef: '2', cmd: 'Get', data: '500', originalError: '0x86000002', items: [{ data: { kind: 'text', text: 'x' }, originalError: '0x86000002' }] },
      { kind: 'Replace', cmdID: '2', items: [{ target: { locURI: './Vendor/MSFT/Policy/Config/A' }, meta: { format: 'xml', type: 'text/plain' }, data: { kind: 'xml', xml: '<a b="1"><c/></a>' } }] },
      { kind: 'Add', cmdID: '3', items: [{ target: { locURI: './Vendor/MSFT/X' }, data: { kind: 'text', text: 'line\r\nwith <&> and "quotes" ünïcödé' } }] },
      { kind: 'Get', cmdID: '4', items: [{ target: { locURI: './Vendor/MSFT/DMClient/Provider/omadm-gateway/Push/ChannelURI' } }] },
      { kind: 'Alert', cmdID: '5', data: '1222', items: [] },
    ];
    expectBounded({ header, body: { commands, final: true } });
  });

  it('holds for generated Replace commands (any text, any size)', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 400 }).filter((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(s) && s.trim() === s && s !== '');
    fc.assert(
      fc.property(text, text, fc.constantFrom('chr', 'int', 'b64', 'xml', undefined), (target, data, format) => {
        const command: Command = {
          kind: 'Replace',
          cmdID: '7',
          items: [{ target: { locURI: `./Vendor/${encodeURIComponent(target)}` }, ...(format ? { meta: { format } } : {}), data: { kind: 'text', text: data } }],
        };
        const msg: SyncML = { header, body: { commands: [command], final: true } };
        if (!encodable(msg)) return;
        expect(wbxmlMeasure.measure(command)).toBeLessThanOrEqual(xmlMeasure.measure(command));
      }),
      { numRuns: 200 },
    );
  });
});
