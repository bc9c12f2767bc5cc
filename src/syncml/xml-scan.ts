/**
 * A single linear pass over the decoded text that enforces well-formedness and the parse limits
 * before fast-xml-parser builds any tree (fast-xml-parser is lenient about malformed input).
 *
 * It counts start tags and tracks the open-element stack, so 10 MB of nesting fails at depth
 * `maxDepth + 1` without further work. It rejects DOCTYPE and ENTITY declarations, processing
 * instructions other than a leading XML declaration, undeclared entity references, mismatched or
 * unclosed tags, text outside the root, duplicate attributes and characters XML forbids. In
 * document mode it also checks that the root is SyncML as soon as the root start tag is read.
 */
import { SyncMLParseError, type ParseErrorCode } from './parse-error.js';
import type { ParseLimits } from './parse-limits.js';
import { utf8Length } from './utf8.js';
import { FORBIDDEN_CHAR, NAME_AT, checkReference, trimXmlSpace } from './xml-text.js';

/** Root namespaces accepted (compared case-insensitively, trimmed): PROTOCOL.md a.2. */
const SYNCML_NAMESPACES = ['syncml:syncml1.2', 'syncml:syncml1.1'];
const WS = /[ \t\n\r]/;
const XML_DECL = /<\?xml[ \t\n\r]+version[ \t\n\r]*=[ \t\n\r]*(["'])1\.[0-9]+\1(?:[ \t\n\r]+encoding[ \t\n\r]*=[ \t\n\r]*(["'])([A-Za-z][A-Za-z0-9._-]*)\2)?(?:[ \t\n\r]+standalone[ \t\n\r]*=[ \t\n\r]*(["'])(?:yes|no)\4)?[ \t\n\r]*\?>/y;

export interface ScanOptions {
  mode: 'document' | 'fragment';
  limits: ParseLimits;
  /** Bytes before `text` in the original input (a stripped BOM). */
  baseOffset?: number;
}

export interface ScanResult {
  elements: number;
}

class ScanFailure extends Error {
  constructor(
    readonly code: ParseErrorCode,
    readonly problem: string,
    readonly at: number,
  ) {
    super(problem);
  }
}

/** Scans a whole SyncML document; throws SyncMLParseError. */
export function scanDocument(text: string, limits: ParseLimits, baseOffset = 0): ScanResult {
  try {
    return new Scanner(text, 'document', limits).run();
  } catch (e) {
    if (!(e instanceof ScanFailure)) throw e;
    throw new SyncMLParseError(e.code, e.problem, { offset: baseOffset + utf8Length(text, 0, e.at) });
  }
}

/** Checks that `text` is well-formed element content (what may sit between <Data> and </Data>). */
export function checkXmlFragment(text: string): string | undefined {
  const unlimited: ParseLimits = { maxBytes: Number.MAX_SAFE_INTEGER, maxDepth: Number.MAX_SAFE_INTEGER, maxElements: Number.MAX_SAFE_INTEGER };
  try {
    new Scanner(text, 'fragment', unlimited).run();
    return undefined;
  } catch (e) {
    if (!(e instanceof ScanFailure)) throw e;
    return `${e.problem} at character ${e.at}`;
  }
}

class Scanner {
  private pos = 0;
  private readonly stack: string[] = [];
  private elements = 0;
  private rootSeen = false;
  /** Cached next positions of "&" and "]]>" (searches only move forward, keeping the scan linear). */
  private ampCache = -2;
  private cdataEndCache = -2;

  constructor(
    private readonly text: string,
    private readonly mode: 'document' | 'fragment',
    private readonly limits: ParseLimits,
  ) {}

  run(): ScanResult {
    const { text } = this;
    const forbidden = FORBIDDEN_CHAR.exec(text);
    if (forbidden !== null) {
      const hex = text.charCodeAt(forbidden.index).toString(16).toUpperCase().padStart(4, '0');
      this.fail('malformed', `character U+${hex} is not allowed in XML`, forbidden.index);
    }
    if (this.mode === 'document') this.readDeclaration();
    while (this.pos < text.length) {
      const lt = text.indexOf('<', this.pos);
      const end = lt === -1 ? text.length : lt;
      if (end > this.pos) this.checkText(this.pos, end);
      if (lt === -1) break;
      this.readMarkup(lt);
    }
    const open = this.stack[this.stack.length - 1];
    if (open !== undefined) this.fail('malformed', `element <${open}> is not closed (${this.stack.join('/')})`, text.length);
    if (this.mode === 'document' && !this.rootSeen) this.fail('malformed', 'the document has no root element', text.length);
    return { elements: this.elements };
  }

  private fail(code: ParseErrorCode, problem: string, at: number): never {
    throw new ScanFailure(code, problem, at);
  }

  /** The XML declaration, if any, must come first; leading whitespace is tolerated. */
  private readDeclaration(): void {
    let p = 0;
    while (p < this.text.length && WS.test(this.text.charAt(p))) p++;
    if (!this.text.startsWith('<?xml', p) || !WS.test(this.text.charAt(p + 5))) return;
    XML_DECL.lastIndex = p;
    const m = XML_DECL.exec(this.text);
    if (m === null) this.fail('malformed', 'malformed XML declaration', p);
    const encoding = m[3];
    if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) {
      this.fail('malformed', `declared encoding "${encoding}" is not supported; SyncML XML must be UTF-8`, p);
    }
    this.pos = XML_DECL.lastIndex;
  }

  private checkText(start: number, end: number): void {
    const { text } = this;
    if (this.stack.length === 0 && this.mode === 'document') {
      for (let i = start; i < end; i++) {
        if (!WS.test(text.charAt(i))) this.fail('malformed', 'text is not allowed outside the root element', i);
      }
      return;
    }
    this.checkReferences(start, end);
    const cdataEnd = this.nextCdataEnd(start);
    if (cdataEnd !== -1 && cdataEnd + 3 <= end) this.fail('malformed', '"]]>" is not allowed in character data', cdataEnd);
  }

  private checkReferences(start: number, end: number): void {
    let amp = this.nextAmp(start);
    while (amp !== -1 && amp < end) {
      const ref = checkReference(this.text, amp);
      if ('problem' in ref) this.fail(ref.code, ref.problem, amp);
      amp = this.nextAmp(amp + ref.length);
    }
  }

  private nextAmp(from: number): number {
    if (this.ampCache !== -1 && this.ampCache < from) this.ampCache = this.text.indexOf('&', from);
    return this.ampCache;
  }

  private nextCdataEnd(from: number): number {
    if (this.cdataEndCache !== -1 && this.cdataEndCache < from) this.cdataEndCache = this.text.indexOf(']]>', from);
    return this.cdataEndCache;
  }

  private readMarkup(lt: number): void {
    const { text } = this;
    const next = text.charAt(lt + 1);
    if (next === '/') return this.readEndTag(lt);
    if (next === '?') {
      const target = /[^ \t\n\r?]*/y;
      target.lastIndex = lt + 2;
      const name = target.exec(text)?.[0] ?? '';
      this.fail('malformed', `processing instruction <?${name} ...?> is not allowed`, lt);
    }
    if (next === '!') {
      if (text.startsWith('<!--', lt)) return this.readComment(lt);
      if (text.startsWith('<![CDATA[', lt)) return this.readCData(lt);
      if (text.startsWith('<!DOCTYPE', lt)) this.fail('doctype', 'DOCTYPE declarations are not allowed', lt);
      if (text.startsWith('<!ENTITY', lt)) this.fail('entity', 'ENTITY declarations are not allowed', lt);
      this.fail('malformed', 'markup declarations are not allowed', lt);
    }
    this.readStartTag(lt);
  }

  private readComment(lt: number): void {
    const close = this.text.indexOf('-->', lt + 4);
    if (close === -1) this.fail('malformed', 'comment is not closed', lt);
    const dashes = this.text.indexOf('--', lt + 4);
    if (dashes < close) this.fail('malformed', '"--" is not allowed inside a comment', dashes);
    this.pos = close + 3;
  }

  private readCData(lt: number): void {
    if (this.stack.length === 0 && this.mode === 'document') this.fail('malformed', 'CDATA is not allowed outside the root element', lt);
    const close = this.text.indexOf(']]>', lt + 9);
    if (close === -1) this.fail('malformed', 'CDATA section is not closed', lt);
    this.pos = close + 3;
  }

  private readName(at: number, what: string): string {
    NAME_AT.lastIndex = at;
    const m = NAME_AT.exec(this.text);
    if (m === null) this.fail('malformed', `expected ${what} name`, at);
    return m[0];
  }

  private skipWhitespace(p: number): number {
    const { text } = this;
    while (p < text.length && WS.test(text.charAt(p))) p++;
    return p;
  }

  private readStartTag(lt: number): void {
    const { text, limits } = this;
    const name = this.readName(lt + 1, 'element');
    let p = lt + 1 + name.length;
    const attributes = new Map<string, string>();
    for (;;) {
      const afterWs = this.skipWhitespace(p);
      const c = text.charAt(afterWs);
      if (c === '>' || (c === '/' && text.charAt(afterWs + 1) === '>')) {
        p = afterWs;
        break;
      }
      if (c === '') this.fail('malformed', `start tag <${name}> is not closed`, lt);
      if (afterWs === p) this.fail('malformed', `expected whitespace before an attribute in <${name}>`, p);
      const attr = this.readName(afterWs, 'attribute');
      let q = this.skipWhitespace(afterWs + attr.length);
      if (text.charAt(q) !== '=') this.fail('malformed', `attribute ${attr} in <${name}> has no value`, q);
      q = this.skipWhitespace(q + 1);
      const quote = text.charAt(q);
      if (quote !== '"' && quote !== "'") this.fail('malformed', `attribute ${attr} in <${name}> must be quoted`, q);
      const close = text.indexOf(quote, q + 1);
      if (close === -1) this.fail('malformed', `attribute ${attr} in <${name}> is not closed`, q);
      const lt2 = text.indexOf('<', q + 1);
      if (lt2 !== -1 && lt2 < close) this.fail('malformed', `"<" is not allowed in attribute ${attr}`, lt2);
      this.checkReferences(q + 1, close);
      if (attributes.has(attr)) this.fail('malformed', `duplicate attribute ${attr} in <${name}>`, afterWs);
      attributes.set(attr, text.slice(q + 1, close));
      p = close + 1;
    }
    const selfClosing = text.charAt(p) === '/';
    this.pos = p + (selfClosing ? 2 : 1);

    this.elements++;
    if (this.elements > limits.maxElements) {
      this.fail('too-many-elements', `more than ${limits.maxElements} elements`, lt);
    }
    if (this.stack.length + 1 > limits.maxDepth) {
      this.fail('too-deep', `nesting deeper than ${limits.maxDepth} elements`, lt);
    }
    if (this.stack.length === 0 && this.mode === 'document') {
      if (this.rootSeen) this.fail('malformed', 'only one root element is allowed', lt);
      this.rootSeen = true;
      this.checkRoot(name, attributes, lt);
    }
    if (!selfClosing) this.stack.push(name);
  }

  private checkRoot(name: string, attributes: ReadonlyMap<string, string>, at: number): void {
    const colon = name.indexOf(':');
    const local = name.slice(colon + 1);
    if (local !== 'SyncML') this.fail('not-syncml', `the root element is <${name}>, not <SyncML>`, at);
    const declaration = colon === -1 ? 'xmlns' : `xmlns:${name.slice(0, colon)}`;
    const ns = attributes.get(declaration);
    if (ns === undefined) {
      if (colon !== -1) this.fail('malformed', `namespace prefix of <${name}> is not declared`, at);
      return; // no namespace at all: tolerated (several Microsoft samples omit it)
    }
    const normalised = trimXmlSpace(ns).toLowerCase();
    if (normalised !== '' && !SYNCML_NAMESPACES.includes(normalised)) {
      this.fail('not-syncml', `the root namespace is "${ns}", not SYNCML:SYNCML1.2 or SYNCML:SYNCML1.1`, at);
    }
  }

  private readEndTag(lt: number): void {
    const name = this.readName(lt + 2, 'element');
    const p = this.skipWhitespace(lt + 2 + name.length);
    if (this.text.charAt(p) !== '>') this.fail('malformed', `end tag </${name}> is not closed`, lt);
    const open = this.stack.pop();
    if (open === undefined) this.fail('malformed', `end tag </${name}> has no start tag`, lt);
    if (open !== name) this.fail('malformed', `end tag </${name}> does not match <${open}>`, lt);
    this.pos = p + 1;
  }
}
