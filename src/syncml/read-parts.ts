/**
 * Readers for the pieces commands and the header share: Target/Source, Meta (MetInf), Cred, Chal
 * and Item. Meta children are matched by local name whatever namespace they carry, because devices
 * and Microsoft samples use `syncml:metinf`, `syncml:metinfo`, `"syncml:metinf "` or none at all
 * (PROTOCOL.md a.2, b). MetInf elements OMA-DM does not use (FieldLevel, Anchor, Mem) are refused.
 */
import type { Chal, Cred, Item, LocRef, Meta } from './model.js';
import { readMetaNumber } from './meta-number.js';
import { Children, readData, readFlag, readOriginalError, readText, structureError } from './read-element.js';
import { trimXmlSpace } from './xml-text.js';
import type { XmlElement } from './xml-tree.js';

const META_TEXT = { Format: 'format', Type: 'type', Mark: 'mark', Version: 'version', NextNonce: 'nextNonce' } as const;
const META_NUMBER = { Size: 'size', MaxMsgSize: 'maxMsgSize', MaxObjSize: 'maxObjSize' } as const;
const META_CHILDREN = [...Object.keys(META_TEXT), ...Object.keys(META_NUMBER), 'EMI'];

export function readLocRef(el: XmlElement, path: string): LocRef {
  const c = new Children(el, path, ['LocURI', 'LocName']);
  const ref: LocRef = { locURI: readText(c.required('LocURI'), c.childPath('LocURI'), true) };
  const name = c.optional('LocName');
  if (name !== undefined) ref.locName = readText(name, c.childPath('LocName'), true);
  return ref;
}

export function readMeta(el: XmlElement, path: string): Meta {
  const c = new Children(el, path, META_CHILDREN);
  const meta: Meta = {};
  for (const [name, field] of Object.entries(META_TEXT)) {
    const child = c.optional(name);
    if (child !== undefined) meta[field] = readText(child, c.childPath(name), true);
  }
  for (const [name, field] of Object.entries(META_NUMBER)) {
    const child = c.optional(name);
    if (child === undefined) continue;
    const text = readText(child, c.childPath(name), true);
    const value = readMetaNumber(text);
    if (value === undefined) throw structureError(c.childPath(name), `<${name}> must be a non-negative integer, got "${text.slice(0, 40)}"`);
    meta[field] = value;
  }
  const emi = c.all('EMI');
  if (emi.length > 0) meta.emi = emi.map((e, i) => readText(e, `${c.childPath('EMI')}[${i + 1}]`, false));
  return meta;
}

export function readCred(el: XmlElement, path: string): Cred {
  const c = new Children(el, path, ['Meta', 'Data']);
  const data = readData(c.required('Data'));
  if (data.kind !== 'text') throw structureError(c.childPath('Data'), 'credential data must be text');
  const cred: Cred = { data: trimXmlSpace(data.text) };
  const meta = c.optional('Meta');
  if (meta !== undefined) cred.meta = readMeta(meta, c.childPath('Meta'));
  return cred;
}

export function readChal(el: XmlElement, path: string): Chal {
  const c = new Children(el, path, ['Meta']);
  return { meta: readMeta(c.required('Meta'), c.childPath('Meta')) };
}

export function readItem(el: XmlElement, path: string): Item {
  const c = new Children(el, path, ['Target', 'Source', 'Meta', 'Data', 'MoreData']);
  const item: Item = {};
  const target = c.optional('Target');
  if (target !== undefined) item.target = readLocRef(target, c.childPath('Target'));
  const source = c.optional('Source');
  if (source !== undefined) item.source = readLocRef(source, c.childPath('Source'));
  const meta = c.optional('Meta');
  if (meta !== undefined) item.meta = readMeta(meta, c.childPath('Meta'));
  const data = c.optional('Data');
  if (data !== undefined) {
    item.data = readData(data);
    const originalError = readOriginalError(data);
    if (originalError !== undefined) item.originalError = originalError;
  }
  const more = c.optional('MoreData');
  if (more !== undefined) item.moreData = readFlag(more, c.childPath('MoreData'));
  return item;
}

/** A list of items with indexed paths. */
export function readItems(c: Children): Item[] {
  return c.all('Item').map((el, i) => readItem(el, `${c.childPath('Item')}[${i + 1}]`));
}
