// Small builders for SyncML models in the transcript unit tests (the codec has its own tests; these tests
// exercise the transcript logic on models directly).
import type { Command, Item, SyncML } from '../../src/syncml/model.js';

export const SERVER = 'https://mdm.example.test/ManagementServer/MDM.svc';
export const DEVICE = 'urn:uuid:0F6A3B2C-1111-4222-8333-944455556666';

export function message(opts: {
  from: 'device' | 'server';
  msgID: string;
  sessionID?: string;
  commands: Command[];
  final?: boolean;
}): SyncML {
  const device = { locURI: DEVICE };
  const server = { locURI: SERVER };
  return {
    header: {
      verDTD: '1.2',
      verProto: 'DM/1.2',
      sessionID: opts.sessionID ?? '1',
      msgID: opts.msgID,
      target: opts.from === 'device' ? server : device,
      source: opts.from === 'device' ? device : server,
    },
    body: { commands: opts.commands, final: opts.final ?? true },
  };
}

export const status = (cmdID: string, msgRef: string, cmdRef: string, cmd: string, data: string): Command => ({
  kind: 'Status',
  cmdID,
  msgRef,
  cmdRef,
  cmd,
  data,
  items: [],
});

export const alert = (cmdID: string, data: string, items: Item[] = []): Command => ({ kind: 'Alert', cmdID, data, items });

export const item = (target: string | undefined, data?: string, extra: Partial<Item> = {}): Item => ({
  ...(target !== undefined ? { target: { locURI: target } } : {}),
  ...(data !== undefined ? { data: { kind: 'text', text: data } } : {}),
  ...extra,
});

export const get = (cmdID: string, target: string): Command => ({ kind: 'Get', cmdID, items: [item(target)] });

export const replace = (cmdID: string, target: string, data: string): Command => ({
  kind: 'Replace',
  cmdID,
  items: [item(target, data, { meta: { format: 'chr' } })],
});

export const results = (cmdID: string, msgRef: string, cmdRef: string, source: string, data: string): Command => ({
  kind: 'Results',
  cmdID,
  msgRef,
  cmdRef,
  items: [{ source: { locURI: source }, data: { kind: 'text', text: data } }],
});

export const devInfoReplace = (cmdID: string): Command => ({
  kind: 'Replace',
  cmdID,
  items: [
    { source: { locURI: './DevInfo/DevId' }, data: { kind: 'text', text: DEVICE } },
    { source: { locURI: './DevInfo/Man' }, data: { kind: 'text', text: 'Contoso' } },
  ],
});

export const PFN_PATH = './Vendor/MSFT/DMClient/Provider/omadm-gateway/Push/PFN';
export const CHANNEL_PATH = './Vendor/MSFT/DMClient/Provider/omadm-gateway/Push/ChannelURI';
export const STATUS_PATH = './Vendor/MSFT/DMClient/Provider/omadm-gateway/Push/Status';
