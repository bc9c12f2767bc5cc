import type { SyncML } from '../model.js';
import { SyncMLParseError } from '../parse-error.js';
import { readSyncML } from '../read-message.js';
import { SYNCML_1_1_LANGUAGE, SYNCML_1_2_LANGUAGE, SYNCML_PAGE_NUMBER, type WbxmlLanguage } from './code-pages.js';
import { decodeDocument } from './decode-document.js';
import { PublicId } from './global-tokens.js';
import { offsetOfPath, toXmlTree } from './to-xml-tree.js';
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
 * Decodes a SyncML DM message in WBXML (application/vnd.syncml.dm+wbxml) into the typed model, through the same
 * element reader as the XML codec, so a message means the same in both encodings (a bad command becomes an Unknown
 * command with a reason; an unreadable header rejects the message).
 * Throws WbxmlError (with `.code` and `.offset`) for anything that is not a bounded, well-formed SyncML document.
 */
export function decodeWbxml(bytes: Uint8Array, limits?: Partial<WbxmlLimits>): SyncML {
  const bounds = resolveWbxmlLimits(limits);
  if (bytes.length > bounds.maxBytes) {
    throw new WbxmlError('too-large', `input of ${bytes.length} bytes exceeds the limit of ${bounds.maxBytes}`, bounds.maxBytes);
  }
  const { document, elementsUsed } = decodeDocument(bytes, { limits: bounds, languageFor: syncmlLanguage });
  const { root, language } = document;
  if (root.name !== 'SyncML') {
    throw new WbxmlError('not-syncml', `root element is <${root.name}>, not <SyncML>`, root.offset);
  }
  const view = toXmlTree(root, {
    language,
    namespace: language.page(SYNCML_PAGE_NUMBER)?.namespace ?? '',
    limits: bounds,
    elementsUsed,
  });
  try {
    return readSyncML(view.root);
  } catch (err) {
    if (err instanceof SyncMLParseError) {
      throw new WbxmlError('invalid-structure', err.detail, offsetOfPath(view, err.path), { cause: err });
    }
    throw err;
  }
}
