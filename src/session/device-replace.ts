/**
 * Replace from the device: only DevInfo (a.3: "Client MUST NOT send any commands other than Replace command
 * containing DevInfo, Results and Alert to the server", OMA-DMPRO §8). One Item per DevInfo node, Source LocURI =
 * node URI (OMA-DMPRO §8.3); DevId/DevID compared case-insensitively (d.4).
 */
import { devInfoNodeName } from '../csp/dev-info.js';
import type { ItemCommand } from '../syncml/model.js';
import { note, type Turn } from './turn.js';

export function handleReplace(turn: Turn, replace: ItemCommand): string {
  if (replace.items.length === 0) return '412';
  const values: Record<string, string> = {};
  for (const item of replace.items) {
    const uri = item.source?.locURI ?? item.target?.locURI ?? '';
    const name = devInfoNodeName(uri);
    if (name === null) {
      note(turn, 'device-replace-refused', `device Replace of ${uri} refused with 405: a client only replaces DevInfo`);
      return '405';
    }
    values[name] = item.data ? (item.data.kind === 'text' ? item.data.text : item.data.xml).trim() : '';
  }
  turn.signals.devInfo = { ...(turn.signals.devInfo ?? {}), ...values };
  return '200';
}
