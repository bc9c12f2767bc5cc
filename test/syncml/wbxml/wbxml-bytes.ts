import { METINF_PAGE_NUMBER, SYNCML_1_2_LANGUAGE, SYNCML_PAGE_NUMBER } from '../../../src/syncml/wbxml/code-pages.js';

/** Hand-assembly of WBXML bytes for tests: tokens are looked up by name so the byte strings stay readable. */

const utf8 = new TextEncoder();

export const END = 0x01;
export const STR_I = 0x03;
export const STR_T = 0x83;
export const OPAQUE = 0xc3;
export const ENTITY = 0x02;
export const SWITCH_PAGE = 0x00;
export const LITERAL_C = 0x44;

export function mb(n: number): number[] {
  const out = [n % 128];
  let rest = Math.floor(n / 128);
  while (rest > 0) {
    out.unshift((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  return out;
}

export function bytesOf(s: string): number[] {
  return [...utf8.encode(s)];
}

/** STR_I "s". */
export function str(s: string): number[] {
  return [STR_I, ...bytesOf(s), 0];
}

export function opaque(data: number[] | Uint8Array): number[] {
  return [OPAQUE, ...mb(data.length), ...data];
}

export function token(name: string, page = SYNCML_PAGE_NUMBER): number {
  const t = SYNCML_1_2_LANGUAGE.page(page)?.tokenOf(name);
  if (t === undefined) throw new Error(`no token for ${name} on page ${page}`);
  return t;
}

/** <name>content…</name> on code page 0 (content tokens are given verbatim). */
export function el(name: string, ...content: number[][]): number[] {
  return content.length === 0 ? [token(name)] : [token(name) | 0x40, ...content.flat(), END];
}

/** <name>text</name> on code page 0. */
export function leaf(name: string, text: string): number[] {
  return el(name, str(text));
}

/** A MetInf element: SWITCH_PAGE 1, tag, text, END, SWITCH_PAGE 0. */
export function metinf(name: string, text: string): number[] {
  return [SWITCH_PAGE, METINF_PAGE_NUMBER, token(name, METINF_PAGE_NUMBER) | 0x40, ...str(text), END, SWITCH_PAGE, 0];
}

export interface HeaderOptions {
  version?: number;
  /** Public id bytes (already mb-encoded), default 0x1201. */
  publicId?: number[];
  charset?: number[];
  table?: number[];
}

export function header(o: HeaderOptions = {}): number[] {
  const table = o.table ?? [];
  return [o.version ?? 0x03, ...(o.publicId ?? mb(0x1201)), ...(o.charset ?? mb(106)), ...mb(table.length), ...table];
}

export const syncHdr: number[] = el(
  'SyncHdr',
  leaf('VerDTD', '1.2'),
  leaf('VerProto', 'DM/1.2'),
  leaf('SessionID', '1'),
  leaf('MsgID', '1'),
  el('Target', leaf('LocURI', 'https://srv/')),
  el('Source', leaf('LocURI', 'IMEI:1')),
);

/** A whole document: header + <SyncML><SyncHdr/><SyncBody>body…<Final/></SyncBody></SyncML>. */
export function message(body: number[][], o: HeaderOptions = {}): Uint8Array {
  return new Uint8Array([...header(o), ...el('SyncML', syncHdr, el('SyncBody', ...body, el('Final')))]);
}
