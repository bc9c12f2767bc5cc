/**
 * LocURI rules for targets an operator sends to a device (PROTOCOL.md a.4, OMA-SUP and STRUCT):
 * - it cannot start with `/`;
 * - `.` is valid as a segment only as the first one (`./Vendor/…/./Test` is invalid), `..` never;
 * - node names cannot be empty (no `//`, no trailing `/`) and cannot be only `*`;
 * - non-alphanumerics must be URL-escaped; Unicode is UTF-8 then percent-encoded byte by byte. We accept the
 *   RFC 3986 path characters (unreserved, sub-delims, `:`, `@`) raw, as Microsoft's own samples do, and `%XX`
 *   escapes that decode to valid UTF-8.
 * Returns null when valid, else a short reason.
 */
const SEGMENT_CHARS = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})+$/;

export const MAX_LOC_URI_LENGTH = 2048;

export function locUriProblem(uri: string): string | null {
  if (uri.length === 0) return 'is empty';
  if (uri.length > MAX_LOC_URI_LENGTH) return `is longer than ${MAX_LOC_URI_LENGTH} characters`;
  if (uri.startsWith('/')) return 'cannot start with /';
  const segments = uri.split('/');
  for (const [index, segment] of segments.entries()) {
    if (segment === '') return 'has an empty node name (// or a trailing /)';
    if (segment === '.' && index === 0) continue;
    if (segment === '.' || segment === '..') return `has "${segment}" as a node name (only a leading "." is allowed)`;
    if (/^\*+$/.test(segment)) return 'has a node name that is only *';
    if (!SEGMENT_CHARS.test(segment)) return `node name "${printable(segment)}" has characters that must be percent-encoded`;
    if (segment.includes('%')) {
      try {
        decodeURIComponent(segment);
      } catch {
        return `node name "${printable(segment)}" has percent-escapes that are not UTF-8`;
      }
    }
  }
  return null;
}

function printable(text: string): string {
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return shown.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
