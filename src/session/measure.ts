/**
 * Sizes for the packager. `createSyncMLMeasure(serialize)` turns the codec's serializer into the engine's `measure`
 * and `measureEnvelope` (the composition root wires it; the engine never imports the codec).
 */
import type { Command, SyncHdr, SyncML } from '../syncml/model.js';

export function createSyncMLMeasure(serialize: (message: SyncML) => string | Uint8Array): {
  measure(command: Command): number;
  measureEnvelope(header: SyncHdr): number;
} {
  const bytes = (m: SyncML): number => {
    const out = serialize(m);
    return typeof out === 'string' ? Buffer.byteLength(out, 'utf8') : out.byteLength;
  };
  const probe: SyncHdr = { verDTD: '1.2', verProto: 'DM/1.2', sessionID: '1', msgID: '1', target: { locURI: 'd' }, source: { locURI: 's' } };
  const empty = bytes({ header: probe, body: { commands: [], final: true } });
  return {
    measure: (command) => bytes({ header: probe, body: { commands: [command], final: true } }) - empty,
    measureEnvelope: (header) => bytes({ header, body: { commands: [], final: true } }),
  };
}

/**
 * Without a serializer at hand: an upper estimate of the envelope (declaration, SyncHdr with its values, SyncBody,
 * Final, indentation), counting every header value twice to allow for escaping.
 */
export function estimateEnvelopeBytes(header: SyncHdr): number {
  const values = [header.sessionID, header.msgID, header.target.locURI, header.source.locURI];
  return 512 + 2 * values.reduce((n, v) => n + Buffer.byteLength(v, 'utf8'), 0);
}
