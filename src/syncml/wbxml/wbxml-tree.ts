import type { WbxmlLanguage } from './code-pages.js';

/**
 * A decoded WBXML document as a plain element tree: the layer between tokens and the SyncML model.
 * Offsets are byte positions in the input (for error reports).
 */
export interface WbxmlAttribute {
  name: string;
  value: string;
}

export interface WbxmlElement {
  type: 'element';
  /** Tag code page the token came from (irrelevant for literal names). */
  page: number;
  name: string;
  /** True when the name came from the string table (LITERAL tokens), not from a code page. */
  literal: boolean;
  attributes: WbxmlAttribute[];
  children: WbxmlNode[];
  offset: number;
}

export interface WbxmlText {
  type: 'text';
  text: string;
  offset: number;
}

export interface WbxmlOpaque {
  type: 'opaque';
  bytes: Uint8Array;
  offset: number;
}

export type WbxmlNode = WbxmlElement | WbxmlText | WbxmlOpaque;

export interface WbxmlDocument {
  /** Version byte (0x03 = WBXML 1.3). */
  version: number;
  /** Numeric public identifier; a string-table identifier is resolved to its number. */
  publicId: number;
  charset: number;
  language: WbxmlLanguage;
  root: WbxmlElement;
}
