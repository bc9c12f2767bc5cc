/**
 * Knobs of the session engine. Sizes are bytes of the serialized message; the engine never serializes anything
 * itself: `measure` (injected, see measure.ts) says how many bytes a command takes, so the engine stays pure and
 * independent of the codec.
 */
import type { Command, SyncHdr } from '../syncml/model.js';

export interface EngineOptions {
  /** Source LocURI of a reply when the device's SyncHdr Target is empty (otherwise the Target is echoed, a.2). */
  serverURI: string;
  /** Serialized size of one command (Status, Alert, Get, Atomic with its children, …). */
  measure(command: Command): number;
  /** Serialized size of a message holding no commands (XML declaration, SyncHdr, SyncBody, Final). Default: an upper estimate. */
  measureEnvelope?(header: SyncHdr): number;
  /** MaxMsgSize to respect when the device declares none in its SyncHdr Meta. */
  defaultMaxMsgSize?: number;
  /** Server commands (not counting Status) per message. */
  maxCommandsPerMessage?: number;
  /** Top-level server commands in one package, i.e. awaiting the device's Status at once. */
  maxOutstanding?: number;
  /** A sent command with no Status for this long (while the session goes on) is given back to the queue. */
  commandExpiryMs?: number;
  /** Device commands (children of Atomic/Sequence included) processed per message; the rest are refused with 417. */
  maxDeviceCommands?: number;
  /** Largest object reassembled from MoreData chunks (a.6); beyond it the chunk is refused with 413. */
  maxObjectBytes?: number;
}

export type ResolvedEngineOptions = Required<Omit<EngineOptions, 'measureEnvelope'>> & Pick<EngineOptions, 'measureEnvelope'>;

/**
 * maxOutstanding equals maxCommandsPerMessage so that, by default, a package is one message: OMA-DMPRO §6 expects most
 * server messages to be one-message packages; a package spans messages only when the device's MaxMsgSize forces it.
 */
export const ENGINE_DEFAULTS = {
  defaultMaxMsgSize: 1_048_576,
  maxCommandsPerMessage: 50,
  maxOutstanding: 50,
  commandExpiryMs: 15 * 60_000,
  maxDeviceCommands: 1000,
  maxObjectBytes: 8 * 1_048_576,
} as const;

const resolvedOptions = new WeakMap<EngineOptions, ResolvedEngineOptions>();

/**
 * The options with defaults filled in. Resolved once per options object (the service passes the same one with every
 * message; merging them again cost about 7 µs per message): options are not changed after they are handed over.
 */
export function resolveEngineOptions(options: EngineOptions): ResolvedEngineOptions {
  let resolved = resolvedOptions.get(options);
  if (resolved === undefined) {
    resolved = {
      ...ENGINE_DEFAULTS,
      ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    } as ResolvedEngineOptions;
    resolvedOptions.set(options, resolved);
  }
  return resolved;
}
