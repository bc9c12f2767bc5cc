/**
 * Which side sent each message. Device → server: Target = server URI, Source = device; server → device:
 * swapped (MS-MDM §4, PROTOCOL.md a.2). The server URI is the header's `serverUri` or the Target of the first
 * message (package 1 always comes from the device, PROTOCOL.md a.3). URIs are compared without the query
 * string (Windows appends `?mode=…&Platform=WoA` to the server URL, MS-MDM §2.1), case-insensitively in the
 * scheme and host, ignoring a trailing slash. A message naming the server on neither side takes the opposite
 * side of the one before it; an explicit `from` in the header's per-message options overrides everything.
 */
import type { SyncML } from '../syncml/model.js';
import type { MessageOptions, Side } from './transcript.js';
import { TranscriptFormatError } from './transcript-format-error.js';

export function normaliseServerUri(uri: string): string {
  let s = uri.trim();
  const q = s.search(/[?#]/);
  if (q >= 0) s = s.slice(0, q);
  s = s.replace(/\/+$/, '');
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)([^/]*)(.*)$/.exec(s);
  return m ? `${(m[1] ?? '').toLowerCase()}${(m[2] ?? '').toLowerCase()}${m[3] ?? ''}` : s;
}

export function inferServerUri(messages: SyncML[], options: Record<string, MessageOptions> = {}): string {
  const first = messages[0];
  if (!first) return '';
  return options['1']?.from === 'server' ? first.header.source.locURI : first.header.target.locURI;
}

export function assignSides(
  messages: SyncML[],
  serverUri: string,
  options: Record<string, MessageOptions> = {},
  fileName = 'transcript',
): Side[] {
  const server = normaliseServerUri(serverUri);
  const sides: Side[] = [];
  let previous: Side | null = null;
  messages.forEach((msg, i) => {
    const explicit = options[String(i + 1)]?.from;
    let side: Side;
    if (explicit) side = explicit;
    else if (normaliseServerUri(msg.header.target.locURI) === server) side = 'device';
    else if (normaliseServerUri(msg.header.source.locURI) === server) side = 'server';
    else side = previous === 'device' ? 'server' : 'device';
    if (side === 'server' && previous !== 'device') {
      throw new TranscriptFormatError(
        `${fileName}: message ${i + 1} is from the server but does not follow a device message (a server only answers; ` +
          `set messages.${i + 1}.from if the side detection is wrong)`,
      );
    }
    sides.push(side);
    previous = side;
  });
  return sides;
}
