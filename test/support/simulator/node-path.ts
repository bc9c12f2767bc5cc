/**
 * LocURI → canonical node path, the way the simulated DMClient resolves it.
 *
 * Rules (PROTOCOL.md a.4): a LocURI can't start with "/"; "." is only valid as the first segment; node names
 * can't be empty; non-alphanumerics are percent-escaped on the wire. No prefix means device scope, so
 * `./Device/Vendor/...` and `./Vendor/...` name the same node; `./User/...` is a separate subtree.
 * Node names are compared case-insensitively (Microsoft writes both ./DevInfo/DevId and ./DevInfo/DevID, d.4).
 */

export type NodePath =
  | { ok: true; /** Segments, each in canonical escaped form ("" root = []). */ segments: string[]; key: string }
  | { ok: false; reason: string };

/** Canonical escaping of one segment: decode what the sender escaped, re-escape what must be. */
export function encodeSegment(name: string): string {
  return encodeURIComponent(name);
}

export function resolveNodePath(locURI: string): NodePath {
  let uri = locURI.trim();
  if (uri.startsWith('/')) return { ok: false, reason: 'a LocURI cannot start with "/"' };
  if (uri.includes('?')) return { ok: false, reason: 'URI queries (?list=, ?prop=) are not supported' };
  if (uri === '.' || uri === './') return { ok: true, segments: [], key: '' };
  if (uri.startsWith('./')) uri = uri.slice(2);
  if (uri.endsWith('/')) uri = uri.slice(0, -1);
  const raw = uri.split('/');
  const segments: string[] = [];
  for (const seg of raw) {
    if (seg === '' || seg === '.' || seg === '..') return { ok: false, reason: `invalid segment "${seg}" in ${locURI}` };
    let decoded: string;
    try {
      decoded = decodeURIComponent(seg);
    } catch (cause) {
      return { ok: false, reason: `bad escape in ${locURI}: ${String(cause)}` };
    }
    if (decoded === '*') return { ok: false, reason: 'a node name cannot be only "*"' };
    segments.push(encodeSegment(decoded));
  }
  if (segments[0]?.toLowerCase() === 'device') segments.shift();
  else if (segments[0]?.toLowerCase() === 'user') segments[0] = 'User';
  return { ok: true, segments, key: keyOf(segments) };
}

/** Map key of a path: case-insensitive. */
export function keyOf(segments: readonly string[]): string {
  return segments.join('/').toLowerCase();
}

export function parentKey(key: string): string | null {
  if (key === '') return null;
  const i = key.lastIndexOf('/');
  return i < 0 ? '' : key.slice(0, i);
}
