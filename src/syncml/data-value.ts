/**
 * Reads the raw inner markup of a Data element (kept verbatim by the tree builder) into a
 * DataValue: character data (escaped text and/or CDATA; comments are not data) becomes
 * `{ kind: 'text' }` with entities resolved; anything containing an element becomes
 * `{ kind: 'xml' }` with the markup kept verbatim (MS-MDM §2.2.5.1: "Data can either be parsable
 * character content or markup content").
 */
import type { DataValue } from './model.js';
import { normaliseLineEndings, unescapeXml } from './xml-text.js';

export function readDataValue(raw: string): DataValue {
  const markup = normaliseLineEndings(raw);
  let text = '';
  let pos = 0;
  for (;;) {
    const lt = markup.indexOf('<', pos);
    if (lt === -1) {
      text += unescapeXml(markup.slice(pos));
      return { kind: 'text', text };
    }
    text += unescapeXml(markup.slice(pos, lt));
    if (markup.startsWith('<![CDATA[', lt)) {
      const close = markup.indexOf(']]>', lt + 9);
      text += markup.slice(lt + 9, close);
      pos = close + 3;
    } else if (markup.startsWith('<!--', lt)) {
      pos = markup.indexOf('-->', lt + 4) + 3;
    } else {
      // An element (the pre-scan already rejected processing instructions and declarations).
      return { kind: 'xml', xml: markup };
    }
  }
}
