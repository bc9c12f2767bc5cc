/**
 * Sizes for the packager. `createSyncMLMeasure(serialize, serializeCommand)` turns the codec's serializer into the
 * engine's `measure` and `measureEnvelope` (the composition root wires it; the engine never imports the codec).
 *
 * With `serializeCommand` — a command's exact share of a message's bytes, which the XML codec's compact serializer
 * gives (syncml/serialize.ts serializeSyncMLCommand) — a command is measured by writing only the command. Without it,
 * a command is measured as a whole message around it less the empty message (exact for any serializer, e.g. WBXML's,
 * at the price of an envelope per command).
 */
import type { Command, SyncHdr, SyncML } from '../syncml/model.js';

export function createSyncMLMeasure(
  serialize: (message: SyncML) => string | Uint8Array,
  serializeCommand?: (command: Command) => string | Uint8Array,
): {
  measure(command: Command): number;
  measureEnvelope(header: SyncHdr): number;
} {
  const size = (out: string | Uint8Array): number => (typeof out === 'string' ? Buffer.byteLength(out, 'utf8') : out.byteLength);
  const probe: SyncHdr = { verDTD: '1.2', verProto: 'DM/1.2', sessionID: '1', msgID: '1', target: { locURI: 'd' }, source: { locURI: 's' } };
  const empty = size(serialize({ header: probe, body: { commands: [], final: true } }));
  return {
    measure: serializeCommand
      ? (command) => size(serializeCommand(command))
      : (command) => size(serialize({ header: probe, body: { commands: [command], final: true } })) - empty,
    measureEnvelope: (header) => size(serialize({ header, body: { commands: [], final: true } })),
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
