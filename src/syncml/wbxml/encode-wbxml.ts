import type { SyncML } from '../model.js';
import { SYNCML_1_1_LANGUAGE, SYNCML_1_2_LANGUAGE } from './code-pages.js';
import { encodeDocument } from './encode-document.js';
import { PublicId, WBXML_VERSION_1_3 } from './global-tokens.js';
import { modelToTree } from './model-to-tree.js';

export interface EncodeWbxmlOptions {
  /**
   * Move strings that occur more than once into the string table (STR_T). Off by default: inline strings are what
   * every client handles, and DM replies repeat few strings.
   */
  stringTable?: boolean;
  /** WBXML version byte: 0x01 (1.1), 0x02 (1.2) or 0x03 (1.3, default). */
  version?: 0x01 | 0x02 | 0x03;
}

/**
 * Encodes a SyncML DM message as WBXML: public identifier -//SYNCML//DTD SyncML 1.2//EN (0x1201), or the SyncML 1.1 one
 * (0x0FD3) when VerDTD is 1.1; charset UTF-8; SyncML on code page 0 and MetInf on code page 1.
 * Throws SyncMLSerializeError for exactly the models serializeSyncML refuses (they would not read back as themselves).
 */
export function encodeWbxml(msg: SyncML, options: EncodeWbxmlOptions = {}): Uint8Array {
  const v11 = msg.header.verDTD.trim() === '1.1';
  return encodeDocument(modelToTree(msg), {
    version: options.version ?? WBXML_VERSION_1_3,
    publicId: v11 ? PublicId.SYNCML_1_1 : PublicId.SYNCML_1_2,
    language: v11 ? SYNCML_1_1_LANGUAGE : SYNCML_1_2_LANGUAGE,
    stringTable: options.stringTable ?? false,
  });
}
