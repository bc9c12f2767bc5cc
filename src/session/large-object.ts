/**
 * Large objects from the device (PROTOCOL.md a.6, OMA-DMPRO §7): every chunk but the last ends with MoreData; each
 * gets Status 213 "Chunked item accepted and buffered" — a Results chunk too, since §7 requires 213 "on receipt of a
 * data object with <MoreData/>" whatever carries it. The object is reassembled in session data, its size checked
 * against the first chunk's Meta Size (mismatch → 424, nothing committed), then handled as if it had come whole.
 * A new command before the last chunk → Alert 1225 carrying the object's source/target, nothing committed.
 * Only a top-level Results, Replace or Alert can carry a chunked item, and only as its last Item (§7: nothing may
 * be placed between chunks).
 */
import type { Command, Item } from '../syncml/model.js';
import { markResultsLost } from './correlation.js';
import type { ChunkBuffer } from './engine-data.js';
import { answer, commandName, note, type Turn } from './turn.js';

type ChunkCarrier = Extract<Command, { kind: 'Results' | 'Replace' | 'Alert' }>;

export function startsChunk(command: Command): command is ChunkCarrier {
  if (command.kind !== 'Results' && command.kind !== 'Replace' && command.kind !== 'Alert') return false;
  return command.items[command.items.length - 1]?.moreData === true;
}

export function startChunk(turn: Turn, command: ChunkCarrier): string {
  const last = command.items[command.items.length - 1] as Item;
  const meta = 'meta' in command ? command.meta : undefined;
  const { data, moreData: _more, ...described } = last;
  const text = dataText(last);
  const buffer: ChunkBuffer = {
    command: { ...command, items: [] },
    doneItems: command.items.slice(0, -1),
    item: described,
    dataKind: data?.kind ?? 'text',
    data: text,
    bytes: Buffer.byteLength(text, 'utf8'),
    declaredSize: last.meta?.size ?? meta?.size ?? null,
    ...(command.kind === 'Results' ? { resultsRef: { msgRef: command.msgRef ?? '', cmdRef: command.cmdRef } } : {}),
  };
  turn.data.chunk = buffer;
  return accept(turn, command, buffer);
}

export function isContinuation(turn: Turn, command: Command): boolean {
  const buffer = turn.data.chunk;
  if (!buffer || command.kind !== buffer.command.kind || !('items' in command)) return false;
  const first = command.items[0];
  if (!first || locOf(first) !== locOf(buffer.item)) return false;
  if (command.kind === 'Results' && buffer.resultsRef) return command.cmdRef.trim() === buffer.resultsRef.cmdRef.trim();
  return true;
}

/** Adds the next chunk; on the last one hands the reassembled command to `whole`. Returns the Status code given, if any. */
export function continueChunk(turn: Turn, command: ChunkCarrier, whole: (assembled: ChunkCarrier) => void): string | null {
  const buffer = turn.data.chunk as ChunkBuffer;
  const [first, ...rest] = command.items as [Item, ...Item[]];
  const text = dataText(first);
  buffer.data += text;
  buffer.bytes += Buffer.byteLength(text, 'utf8');
  if (first.moreData) {
    if (rest.length > 0) note(turn, 'items-after-chunk', `${rest.length} Item(s) after a MoreData chunk ignored (a.6)`);
    return accept(turn, command, buffer);
  }
  turn.data.chunk = null;
  if (buffer.declaredSize !== null && buffer.declaredSize !== buffer.bytes) {
    note(turn, 'chunk-size-mismatch', `reassembled object is ${buffer.bytes} bytes, its first chunk declared ${buffer.declaredSize}; answered 424`);
    lose(turn, buffer);
    answer(turn, command, '424');
    return '424';
  }
  const data = buffer.dataKind === 'xml' ? { kind: 'xml' as const, xml: buffer.data } : { kind: 'text' as const, text: buffer.data };
  const assembled = { ...buffer.command, cmdID: command.cmdID, items: [...buffer.doneItems, { ...buffer.item, data }, ...rest] } as ChunkCarrier;
  whole(assembled);
  return null;
}

/** a.6: a new command before the last chunk, or the device's package ended without it → Alert 1225. */
export function abandonChunk(turn: Turn, reason: string): void {
  const buffer = dropChunk(turn);
  if (!buffer) return;
  const item: Item = {
    ...(buffer.item.source ? { source: buffer.item.source } : {}),
    ...(buffer.item.target ? { target: buffer.item.target } : {}),
  };
  turn.serverAlerts.push({ kind: 'Alert', data: '1225', items: [item] });
  note(turn, 'chunk-abandoned', `chunked ${buffer.command.kind} of ${locOf(buffer.item) || '(no URI)'} abandoned: ${reason}`);
}

/** Forgets an open chunked object without telling the device (the session is over anyway). */
export function dropChunk(turn: Turn): ChunkBuffer | null {
  const buffer = turn.data.chunk;
  if (!buffer) return null;
  turn.data.chunk = null;
  lose(turn, buffer);
  return buffer;
}

function accept(turn: Turn, command: ChunkCarrier, buffer: ChunkBuffer): string {
  if (buffer.bytes > turn.options.maxObjectBytes) {
    turn.data.chunk = null;
    lose(turn, buffer);
    note(turn, 'chunk-too-large', `chunked ${commandName(command)} exceeds ${turn.options.maxObjectBytes} bytes; answered 413`);
    answer(turn, command, '413');
    return '413';
  }
  answer(turn, command, '213');
  return '213';
}

function lose(turn: Turn, buffer: ChunkBuffer): void {
  if (buffer.resultsRef) markResultsLost(turn, buffer.resultsRef.msgRef || undefined, buffer.resultsRef.cmdRef);
}

function locOf(item: Item): string {
  return item.source?.locURI ?? item.target?.locURI ?? '';
}

function dataText(item: Item): string {
  if (!item.data) return '';
  return item.data.kind === 'text' ? item.data.text : item.data.xml;
}
