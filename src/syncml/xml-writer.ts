/**
 * The only place XML text is produced. Every text node and attribute value goes through an
 * escaper; the only verbatim output is 'xml' Data, which the serializer validates first.
 * Output is compact (no indentation), so whitespace is never added to any value.
 */
import { escapeAttribute, escapeText } from './xml-text.js';

export type Attributes = readonly (readonly [name: string, value: string])[];

export class XmlWriter {
  private readonly parts: string[] = [];

  start(name: string, attributes?: Attributes): this {
    this.parts.push('<', name, attributesText(attributes), '>');
    return this;
  }

  end(name: string): this {
    this.parts.push('</', name, '>');
    return this;
  }

  /** `<name>escaped text</name>` */
  text(name: string, value: string, attributes?: Attributes): this {
    this.parts.push('<', name, attributesText(attributes), '>', escapeText(value), '</', name, '>');
    return this;
  }

  /** `<name/>` */
  empty(name: string, attributes?: Attributes): this {
    this.parts.push('<', name, attributesText(attributes), '/>');
    return this;
  }

  /** `<name>markup</name>` with markup written verbatim; callers validate it is well-formed content. */
  markup(name: string, markup: string, attributes?: Attributes): this {
    this.parts.push('<', name, attributesText(attributes), '>', markup, '</', name, '>');
    return this;
  }

  toString(): string {
    return this.parts.join('');
  }
}

function attributesText(attributes: Attributes | undefined): string {
  if (attributes === undefined || attributes.length === 0) return '';
  let out = '';
  for (const [name, value] of attributes) out += ` ${name}="${escapeAttribute(value)}"`;
  return out;
}
