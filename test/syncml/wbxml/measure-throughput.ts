/**
 * WBXML decode/encode throughput beside the XML codec, measured in the same run (not a test; no thresholds).
 *   npx tsx test/syncml/wbxml/measure-throughput.ts
 */
import { performance } from 'node:perf_hooks';
import { parseSyncML, serializeSyncML } from '../../../src/syncml/index.js';
import type { Command, SyncML } from '../../../src/syncml/model.js';
import { decodeWbxml, encodeWbxml } from '../../../src/syncml/wbxml/index.js';
import { deviceCheckIn, serverReply } from './sample-messages.js';

/** A large device message: 300 Status and 300 Results with data, as after a big Get. */
function largeResults(): SyncML {
  const commands: Command[] = [];
  for (let i = 0; i < 300; i += 1) {
    commands.push({ kind: 'Status', cmdID: String(2 * i + 1), msgRef: '1', cmdRef: String(i + 2), cmd: 'Get', data: '200', items: [] });
    commands.push({
      kind: 'Results',
      cmdID: String(2 * i + 2),
      msgRef: '1',
      cmdRef: String(i + 2),
      items: [
        {
          source: { locURI: `./Vendor/MSFT/Policy/Result/Area${i}/Setting${i}` },
          meta: { format: 'chr', type: 'text/plain' },
          data: { kind: 'text', text: `value-${i}-${'x'.repeat(40)}` },
        },
      ],
    });
  }
  return { header: deviceCheckIn.header, body: { commands, final: true } };
}

/** Best of several short windows, the operations interleaved, so a busy machine skews all of them alike. */
function measure(ops: Record<string, () => unknown>, rounds = 6, windowMs = 150): Record<string, number> {
  const best: Record<string, number> = {};
  for (const fn of Object.values(ops)) for (let i = 0; i < 30; i += 1) fn(); // warm up
  for (let r = 0; r < rounds; r += 1) {
    for (const [label, fn] of Object.entries(ops)) {
      let n = 0;
      const start = performance.now();
      let elapsed = 0;
      while (elapsed < windowMs) {
        fn();
        n += 1;
        elapsed = performance.now() - start;
      }
      best[label] = Math.max(best[label] ?? 0, (n * 1000) / elapsed);
    }
  }
  return best;
}

for (const [name, msg] of [
  ['device check-in', deviceCheckIn],
  ['server reply', serverReply],
  ['300 Status+Results', largeResults()],
] as const) {
  const xml = Buffer.from(serializeSyncML(msg));
  const wbxml = encodeWbxml(msg);
  const wbxmlTable = encodeWbxml(msg, { stringTable: true });
  const size: Record<string, number> = {
    'XML parse': xml.length,
    'WBXML decode': wbxml.length,
    'WBXML decode (table)': wbxmlTable.length,
    'XML serialize': xml.length,
    'WBXML encode': wbxml.length,
    'WBXML encode (table)': wbxmlTable.length,
  };
  const r = measure({
    'XML parse': () => parseSyncML(xml),
    'WBXML decode': () => decodeWbxml(wbxml),
    'WBXML decode (table)': () => decodeWbxml(wbxmlTable),
    'XML serialize': () => serializeSyncML(msg),
    'WBXML encode': () => encodeWbxml(msg),
    'WBXML encode (table)': () => encodeWbxml(msg, { stringTable: true }),
  });
  console.log(`${name}: XML ${xml.length} B, WBXML ${wbxml.length} B (${((100 * wbxml.length) / xml.length).toFixed(0)}%), with string table ${wbxmlTable.length} B`);
  for (const [label, perSecond] of Object.entries(r)) {
    const mbps = (perSecond * (size[label] ?? 0)) / 1e6;
    console.log(`  ${label.padEnd(22)} ${perSecond.toFixed(0).padStart(8)} msg/s  ${mbps.toFixed(1).padStart(6)} MB/s`);
  }
  const ratio = (a: string, b: string): string => ((r[a] ?? 0) / (r[b] ?? 1)).toFixed(2);
  console.log(`  WBXML/XML in messages per second: decode ${ratio('WBXML decode', 'XML parse')}x, encode ${ratio('WBXML encode', 'XML serialize')}x`);
}
