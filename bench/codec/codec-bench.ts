/**
 * Codec throughput (messages per CPU-second, see throughput.ts): our parse + serialize against raw fast-xml-parser (XMLParser.parse + XMLBuilder.build) on the same
 * bytes, and WBXML decode/encode beside our XML codec. Pure CPU, one process; operations interleaved per round.
 *
 * The fast-xml-parser baseline uses the smallest configuration that round-trips SyncML: preserveOrder (the body is an
 * ordered command list) and attributes kept (xmlns, msft:originalerror); everything else at its defaults. It checks
 * nothing (no DOCTYPE/entity refusal, no limits, no model), so it is the ceiling of "parse with fast-xml-parser".
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { parseSyncML, serializeSyncML } from '../../src/syncml/index.js';
import { decodeWbxml, encodeWbxml } from '../../src/syncml/wbxml/index.js';
import { figureFromRuns } from '../lib/figure.js';
import type { SuiteContext } from '../lib/suite.js';
import { interleavedRates } from './throughput.js';
import { TYPICAL_MESSAGES } from './typical-messages.js';

export async function runCodecBench(ctx: SuiteContext): Promise<void> {
  const { reporter, quick } = ctx;
  const rounds = ctx.rounds ?? (quick ? 3 : 7);
  // Quick: a smoke run of every operation (3 × 60 ms windows), not figures to quote.
  const windowMs = quick ? 60 : 200;
  const fxpParser = new XMLParser({ preserveOrder: true, ignoreAttributes: false });
  const fxpBuilder = new XMLBuilder({ preserveOrder: true, ignoreAttributes: false });

  for (const { name, message } of TYPICAL_MESSAGES) {
    const xmlText = serializeSyncML(message);
    const xml = Buffer.from(xmlText, 'utf8');
    const wbxml = encodeWbxml(message);
    const model = parseSyncML(xml);
    const fxpTree: unknown = fxpParser.parse(xml);
    // Sanity: both sides read the same document and write something that reads back.
    if (serializeSyncML(parseSyncML(serializeSyncML(model))) !== xmlText) throw new Error(`${name}: our codec does not round-trip`);
    if (!String(fxpBuilder.build(fxpTree)).includes('SyncBody')) throw new Error(`${name}: fast-xml-parser baseline lost the body`);
    if (serializeSyncML(decodeWbxml(wbxml)) !== xmlText) throw new Error(`${name}: WBXML does not round-trip`);
    reporter.note(`${name}: ${message.body.commands.length} commands, XML ${xml.length} B, WBXML ${wbxml.length} B`);

    const rates = interleavedRates(
      {
        ours: () => serializeSyncML(parseSyncML(xml)),
        fxp: () => fxpBuilder.build(fxpParser.parse(xml)),
        oursParse: () => parseSyncML(xml),
        fxpParse: () => fxpParser.parse(xml),
        oursSerialize: () => serializeSyncML(model),
        fxpBuild: () => fxpBuilder.build(fxpTree),
        wbxml: () => encodeWbxml(decodeWbxml(wbxml)),
        wbxmlDecode: () => decodeWbxml(wbxml),
        wbxmlEncode: () => encodeWbxml(model),
      },
      rounds,
      windowMs,
      quick ? 1_000 : 2_000,
    );
    const pair = (a: string, b: string) => (rates[a] ?? []).map((value, i) => ({ value, baselineValue: rates[b]?.[i] ?? Number.NaN }));
    reporter.figure(
      figureFromRuns(
        { name: `codec.${name}.parse+serialize`, unit: 'msg/CPU-s', baseline: 'fast-xml-parser parse+build', target: { ratioAtLeast: 0.6 } },
        pair('ours', 'fxp'),
      ),
    );
    reporter.figure(figureFromRuns({ name: `codec.${name}.parse`, unit: 'msg/CPU-s', baseline: 'fast-xml-parser parse' }, pair('oursParse', 'fxpParse')));
    reporter.figure(figureFromRuns({ name: `codec.${name}.serialize`, unit: 'msg/CPU-s', baseline: 'fast-xml-parser build' }, pair('oursSerialize', 'fxpBuild')));
    reporter.figure(figureFromRuns({ name: `codec.${name}.wbxml-decode+encode`, unit: 'msg/CPU-s', baseline: 'our XML parse+serialize' }, pair('wbxml', 'ours')));
    reporter.figure(figureFromRuns({ name: `codec.${name}.wbxml-decode`, unit: 'msg/CPU-s', baseline: 'our XML parse' }, pair('wbxmlDecode', 'oursParse')));
    reporter.figure(figureFromRuns({ name: `codec.${name}.wbxml-encode`, unit: 'msg/CPU-s', baseline: 'our XML serialize' }, pair('wbxmlEncode', 'oursSerialize')));
  }
}
