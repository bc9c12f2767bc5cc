/**
 * Character-level XML rules shared by the pre-scan, the tree reader and the writer
 * (XML 1.0 fifth edition §2.2 Char, §2.3 Name, §2.4 character data, §2.11 end-of-line handling).
 */

/** Characters XML 1.0 forbids anywhere, even as character references (lone surrogates checked elsewhere). */
export const FORBIDDEN_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

const NAME_START = ':A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD';
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;
/** A Name at a given position (sticky). Supplementary-plane name characters are accepted as surrogate pairs. */
export const NAME_AT = new RegExp(`(?:[${NAME_START}]|[\\uD800-\\uDB7F][\\uDC00-\\uDFFF])(?:[${NAME_CHAR}]|[\\uD800-\\uDB7F][\\uDC00-\\uDFFF])*`, 'y');
const NC_NAME = new RegExp(`^(?:[${NAME_START.slice(1)}]|[\\uD800-\\uDB7F][\\uDC00-\\uDFFF])(?:[${NAME_CHAR.slice(1)}]|[\\uD800-\\uDB7F][\\uDC00-\\uDFFF])*$`);

/** True for an XML name without a colon (what an element may be called in our output). */
export function isNCName(name: string): boolean {
  return NC_NAME.test(name);
}

export function isXmlCodePoint(cp: number): boolean {
  return (
    cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** §2.11: CR LF and lone CR become LF before anything else looks at the text. */
export function normaliseLineEndings(text: string): string {
  return text.indexOf('\r') === -1 ? text : text.replace(/\r\n?/g, '\n');
}

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const REFERENCE = /&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z_:][-A-Za-z0-9._:]*);/g;

/**
 * Replaces the five predefined entities and character references. The input was already
 * validated by the pre-scan, so every reference here is well-formed and allowed.
 */
export function unescapeXml(text: string): string {
  if (text.indexOf('&') === -1) return text;
  return text.replace(REFERENCE, (whole, ref: string) => {
    if (ref.charCodeAt(0) === 0x23 /* # */) {
      const cp = ref.charCodeAt(1) === 0x78 /* x */ ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      return String.fromCodePoint(cp);
    }
    return PREDEFINED[ref] ?? whole;
  });
}

/** Validates one reference starting at `text[at] === '&'`; returns its length or a problem. */
export function checkReference(text: string, at: number): { length: number } | { problem: string; code: 'entity' | 'malformed' } {
  const semi = text.indexOf(';', at);
  if (semi === -1 || semi - at > 40) return { problem: 'a bare "&" must be written as &amp;', code: 'malformed' };
  const ref = text.slice(at + 1, semi);
  if (ref.startsWith('#')) {
    const hex = ref.startsWith('#x');
    const digits = ref.slice(hex ? 2 : 1);
    if (!(hex ? /^[0-9A-Fa-f]+$/ : /^[0-9]+$/).test(digits)) return { problem: `bad character reference &${ref};`, code: 'malformed' };
    const cp = Number.parseInt(digits, hex ? 16 : 10);
    if (!isXmlCodePoint(cp)) return { problem: `character reference &${ref}; is not an XML character`, code: 'malformed' };
    return { length: semi - at + 1 };
  }
  if (!/^[A-Za-z_:][-A-Za-z0-9._:]*$/.test(ref)) return { problem: 'a bare "&" must be written as &amp;', code: 'malformed' };
  if (PREDEFINED[ref] === undefined) return { problem: `reference to undeclared entity &${ref};`, code: 'entity' };
  return { length: semi - at + 1 };
}

/** Escapes character data so it reads back exactly: `]]>` cannot survive unescaped, CR would be normalised. */
export function escapeText(text: string): string {
  return text.replace(/[&<>\r]/g, escapeChar);
}

/** Escapes an attribute value (double-quoted); whitespace other than space would be normalised. */
export function escapeAttribute(text: string): string {
  return text.replace(/[&<>"\t\n\r]/g, escapeChar);
}

function escapeChar(c: string): string {
  switch (c) {
    case '&':
      return '&amp;';
    case '<':
      return '&lt;';
    case '>':
      return '&gt;';
    case '"':
      return '&quot;';
    case '\t':
      return '&#9;';
    case '\n':
      return '&#10;';
    default:
      return '&#13;';
  }
}

/** Index of the first character that XML cannot carry (forbidden or an unpaired surrogate), or -1. */
export function firstUnencodableChar(text: string): number {
  const forbidden = FORBIDDEN_CHAR.exec(text);
  const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.exec(text);
  if (forbidden === null) return lone === null ? -1 : lone.index;
  return lone === null ? forbidden.index : Math.min(forbidden.index, lone.index);
}

/** Trims XML white space only (space, tab, CR, LF), unlike String#trim which also eats NBSP and friends. */
export function trimXmlSpace(text: string): string {
  return text.replace(/^[ \t\n\r]+|[ \t\n\r]+$/g, '');
}
