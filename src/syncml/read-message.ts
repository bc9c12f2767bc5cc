/**
 * Reads the SyncML root, SyncHdr and SyncBody. Problems here reject the whole message
 * ('invalid-structure'): without a readable header there is nobody to answer.
 */
import type { Command, SyncBody, SyncHdr, SyncML } from './model.js';
import { Children, readFlag, readText, readToken, rejectText, structureError } from './read-element.js';
import { readCommand } from './read-command.js';
import { readCred, readLocRef, readMeta } from './read-parts.js';
import type { XmlElement } from './xml-tree.js';

export function readSyncML(root: XmlElement): SyncML {
  const c = new Children(root, 'SyncML', ['SyncHdr', 'SyncBody']);
  return {
    header: readSyncHdr(c.required('SyncHdr'), 'SyncML/SyncHdr'),
    body: readSyncBody(c.required('SyncBody'), 'SyncML/SyncBody'),
  };
}

function readSyncHdr(el: XmlElement, path: string): SyncHdr {
  const c = new Children(el, path, ['VerDTD', 'VerProto', 'SessionID', 'MsgID', 'Target', 'Source', 'RespURI', 'NoResp', 'Cred', 'Meta']);
  const token = (name: string): string => readToken(c.required(name), c.childPath(name));
  const header: SyncHdr = {
    verDTD: token('VerDTD'),
    verProto: token('VerProto'),
    sessionID: token('SessionID'),
    msgID: token('MsgID'),
    target: readLocRef(c.required('Target'), c.childPath('Target')),
    source: readLocRef(c.required('Source'), c.childPath('Source')),
  };
  if (header.target.locURI === '') throw structureError(c.childPath('Target'), 'the header Target has an empty LocURI');
  if (header.source.locURI === '') throw structureError(c.childPath('Source'), 'the header Source has an empty LocURI');
  const respURI = c.optional('RespURI');
  if (respURI !== undefined) header.respURI = readText(respURI, c.childPath('RespURI'), true);
  const noResp = c.optional('NoResp');
  if (noResp !== undefined) header.noResp = readFlag(noResp, c.childPath('NoResp'));
  const cred = c.optional('Cred');
  if (cred !== undefined) header.cred = readCred(cred, c.childPath('Cred'));
  const meta = c.optional('Meta');
  if (meta !== undefined) header.meta = readMeta(meta, c.childPath('Meta'));
  return header;
}

/** Final may appear anywhere among the commands (the DTD puts it last); it only sets `final`. */
function readSyncBody(el: XmlElement, path: string): SyncBody {
  const commands: Command[] = [];
  let final = false;
  let index = 0;
  for (const child of el.children) {
    if (child.kind !== 'element') {
      rejectText(child, path);
      continue;
    }
    index++;
    const childPath = `${path}/${child.name}[${index}]`;
    if (child.name === 'Final') final = readFlag(child, childPath);
    else commands.push(readCommand(child, childPath, 'SyncBody'));
  }
  return { commands, final };
}
