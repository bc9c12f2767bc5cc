import type { SyncML } from '../model.js';
import { SYNCML_1_1_LANGUAGE, SYNCML_1_2_LANGUAGE, type WbxmlLanguage } from './code-pages.js';
import { decodeDocument } from './decode-document.js';
import { PublicId } from './global-tokens.js';
import { treeToModel } from './tree-to-model.js';
import { WbxmlError } from './wbxml-error.js';
import { resolveWbxmlLimits, type WbxmlLimits } from './wbxml-limits.js';

/** OMA DM 1.2 → SyncML 1.2 tables; OMA DM 1.1.2 → SyncML 1.1; unknown (0x01) → 1.2 (the root must still be SyncML). */
function syncmlLanguage(publicId: number): WbxmlLanguage | undefined {
  switch (publicId) {
    case PublicId.SYNCML_1_2:
    case PublicId.UNKNOWN:
      return SYNCML_1_2_LANGUAGE;
    case PublicId.SYNCML_1_1:
      return SYNCML_1_1_LANGUAGE;
    default:
      return undefined;
  }
}

/**
 * Decodes a SyncML DM message in WBXML (application/vnd.syncml.dm+wbxml) into the typed model.
 * Throws WbxmlError (with `.code` and `.offset`) for anything that is not a bounded, well-formed SyncML document.
 */
export function decodeWbxml(bytes: Uint8Array, limits?: Partial<WbxmlLimits>): SyncML {
  const bounds = resolveWbxmlLimits(limits);
  if (bytes.length > bounds.maxBytes) {
    throw new WbxmlError('too-large', `input of ${bytes.length} bytes exceeds the limit of ${bounds.maxBytes}`, bounds.maxBytes);
  }
  const { document, elementsUsed } = decodeDocument(bytes, { limits: bounds, languageFor: syncmlLanguage });
  return treeToModel(document, bounds, elementsUsed);
}
