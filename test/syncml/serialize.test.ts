/**
 * The serializer: DTD element order, namespaces, escaping, verbatim xml Data, refusals.
 * Assertions are on parsed structure (element order read back with a namespace-aware parser),
 * never on substrings of the XML.
 */
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { parseSyncML, serializeSyncML, SyncMLSerializeError, type Command, type SyncML } from '../../src/syncml/index.js';

const header: SyncML['header'] = {
  verDTD: '1.2',
  verProto: 'DM/1.2',
  sessionID: '1',
  msgID: '1',
  target: { locURI: 'dev-1' },
  source: { locURI: 'https://mdm.example/' },
};
const message = (commands: Command[], extra: Partial<SyncML['header']> = {}): SyncML => ({ header: { ...header, ...extra }, body: { commands, final: true } });

/** Element tree with prefixes and xmlns attributes kept, to check names, order and namespaces. */
type Node = { name: string; attrs: Record<string, string>; children: Node[]; text: string };
const inspector = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false, trimValues: false, processEntities: true });
function tree(xml: string): Node {
  const convert = (nodes: Record<string, unknown>[]): Node[] =>
    nodes
      .filter((n) => !('#text' in n))
      .map((n) => {
        const name = Object.keys(n).find((k) => k !== ':@') ?? '';
        const kids = n[name] as Record<string, unknown>[];
        return {
          name,
          attrs: (n[':@'] as Record<string, string> | undefined) ?? {},
          children: convert(kids),
          text: kids.filter((k) => '#text' in k).map((k) => String(k['#text'])).join(''),
        };
      });
  const [root] = convert(inspector.parse(xml) as Record<string, unknown>[]);
  if (root === undefined) throw new Error('no root');
  return root;
}
const child = (n: Node, name: string): Node => {
  const c = n.children.find((k) => k.name === name);
  if (c === undefined) throw new Error(`no ${name} in ${n.name}`);
  return c;
};
const names = (n: Node): string[] => n.children.map((c) => c.name);
const bodyOf = (msg: SyncML): Node => child(tree(serializeSyncML(msg)), 'SyncBody');

describe('element order follows the SyncML RepPro 1.2 DTD', () => {
  it('SyncHdr', () => {
    const root = tree(
      serializeSyncML(
        message([], {
          respURI: 'https://mdm.example/r',
          noResp: true,
          cred: { meta: { type: 'syncml:auth-basic', format: 'b64' }, data: 'dTpw' },
          meta: { maxObjSize: 2, maxMsgSize: 1 },
          source: { locURI: 'https://mdm.example/', locName: 'server' },
        }),
      ),
    );
    expect(root.name).toBe('SyncML');
    expect(root.attrs).toEqual({ xmlns: 'SYNCML:SYNCML1.2' });
    expect(names(root)).toEqual(['SyncHdr', 'SyncBody']);
    const hdr = child(root, 'SyncHdr');
    expect(names(hdr)).toEqual(['VerDTD', 'VerProto', 'SessionID', 'MsgID', 'Target', 'Source', 'RespURI', 'NoResp', 'Cred', 'Meta']);
    expect(names(child(hdr, 'Source'))).toEqual(['LocURI', 'LocName']);
    expect(names(child(hdr, 'Cred'))).toEqual(['Meta', 'Data']);
    expect(names(child(child(hdr, 'Cred'), 'Meta'))).toEqual(['Format', 'Type']);
    expect(names(child(hdr, 'Meta'))).toEqual(['MaxMsgSize', 'MaxObjSize']);
  });

  it('Status, Results and the item commands', () => {
    const body = bodyOf(
      message([
        {
          kind: 'Status',
          cmdID: '1',
          msgRef: '1',
          cmdRef: '0',
          cmd: 'SyncHdr',
          targetRef: ['a', 'b'],
          sourceRef: ['c'],
          cred: { data: 'x' },
          chal: { meta: { nextNonce: 'bg==', format: 'b64', type: 'syncml:auth-md5' } },
          data: '401',
          items: [{ data: { kind: 'text', text: 'i' } }],
        },
        { kind: 'Results', cmdID: '2', msgRef: '1', cmdRef: '3', cmd: 'Get', meta: { format: 'chr' }, targetRef: ['t'], sourceRef: ['s'], items: [{}] },
        { kind: 'Exec', cmdID: '3', noResp: true, cred: { data: 'x' }, meta: { type: 't' }, correlator: 'c', items: [{}] },
        { kind: 'Alert', cmdID: '4', noResp: true, cred: { data: 'x' }, data: '1226', correlator: 'c', items: [{}, {}] },
        { kind: 'Replace', cmdID: '5', noResp: true, cred: { data: 'x' }, meta: { format: 'int' }, items: [{}] },
      ]),
    );
    expect(names(body)).toEqual(['Status', 'Results', 'Exec', 'Alert', 'Replace', 'Final']);
    const [status, results, exec, alert, replace] = body.children as [Node, Node, Node, Node, Node];
    expect(names(status)).toEqual(['CmdID', 'MsgRef', 'CmdRef', 'Cmd', 'TargetRef', 'TargetRef', 'SourceRef', 'Cred', 'Chal', 'Data', 'Item']);
    expect(names(child(child(status, 'Chal'), 'Meta'))).toEqual(['Format', 'Type', 'NextNonce']);
    expect(names(results)).toEqual(['CmdID', 'MsgRef', 'CmdRef', 'Cmd', 'Meta', 'TargetRef', 'SourceRef', 'Item']);
    expect(names(exec)).toEqual(['CmdID', 'NoResp', 'Cred', 'Meta', 'Correlator', 'Item']);
    expect(names(alert)).toEqual(['CmdID', 'NoResp', 'Cred', 'Data', 'Correlator', 'Item', 'Item']);
    expect(names(replace)).toEqual(['CmdID', 'NoResp', 'Cred', 'Meta', 'Item']);
  });

  it('Item, Meta (MetInf order) and containers', () => {
    const body = bodyOf(
      message([
        {
          kind: 'Atomic',
          cmdID: '1',
          noResp: true,
          meta: { type: 't' },
          commands: [
            {
              kind: 'Add',
              cmdID: '2',
              items: [
                {
                  moreData: true,
                  data: { kind: 'text', text: 'd' },
                  meta: { emi: ['e1', 'e2'], maxObjSize: 8, maxMsgSize: 7, nextNonce: 'n', version: 'v', size: 3, mark: 'm', type: 't', format: 'f' },
                  source: { locURI: './s' },
                  target: { locURI: './t', locName: 'n' },
                },
              ],
            },
            { kind: 'Sequence', cmdID: '3', commands: [{ kind: 'Get', cmdID: '4', items: [{ target: { locURI: './x' } }] }] },
          ],
        },
      ]),
    );
    const atomic = child(body, 'Atomic');
    expect(names(atomic)).toEqual(['CmdID', 'NoResp', 'Meta', 'Add', 'Sequence']);
    const item = child(child(atomic, 'Add'), 'Item');
    expect(names(item)).toEqual(['Target', 'Source', 'Meta', 'Data', 'MoreData']);
    expect(names(child(item, 'Meta'))).toEqual(['Format', 'Type', 'Mark', 'Size', 'Version', 'NextNonce', 'MaxMsgSize', 'MaxObjSize', 'EMI', 'EMI']);
    expect(names(child(atomic, 'Sequence'))).toEqual(['CmdID', 'Get']);
  });

  it('puts xmlns="syncml:metinf" on every Meta child', () => {
    const body = bodyOf(message([{ kind: 'Get', cmdID: '1', items: [{ meta: { format: 'chr', type: 'text/plain', size: 1, emi: ['x'] } }] }]));
    const meta = child(child(child(body, 'Get'), 'Item'), 'Meta');
    expect(meta.attrs).toEqual({});
    for (const c of meta.children) expect(c.attrs).toEqual({ xmlns: 'syncml:metinf' });
  });

  it('writes originalError as msft:originalerror with its namespace declared', () => {
    const body = bodyOf(message([{ kind: 'Status', cmdID: '1', msgRef: '1', cmdRef: '2', cmd: 'Get', data: '404', originalError: '0x86000002', items: [] }]));
    expect(child(child(body, 'Status'), 'Data').attrs).toEqual({ 'xmlns:msft': 'http://schemas.microsoft.com/MobileDevice/MDM', 'msft:originalerror': '0x86000002' });
  });
});

describe('escaping and verbatim markup', () => {
  const hostile = ['<', '&', '>', ']]>', '<![CDATA[x]]>', '&amp;', '"\'', 'a\r\nb\rc', '  \t\n ', '', '😀 é \u00A0 \u2028', '</Data></Item>'];

  it.each(hostile)('text Data %j survives exactly', (text) => {
    const msg = message([{ kind: 'Replace', cmdID: '1', items: [{ target: { locURI: './a' }, data: { kind: 'text', text } }] }]);
    expect(parseSyncML(serializeSyncML(msg))).toEqual(msg);
  });

  it('structural values with markup characters survive', () => {
    const msg = message([{ kind: 'Get', cmdID: '<1&>', items: [{ target: { locURI: './a?b=<c>&d=]]>' } }] }], { sessionID: 'x&y' });
    expect(parseSyncML(serializeSyncML(msg))).toEqual(msg);
  });

  it('writes xml Data verbatim, so the same markup reads back', () => {
    const xml = '\n  <MsiInstallJob id="{1}"><a b="&amp;">x &lt; y<![CDATA[<z>]]></a><!-- c --></MsiInstallJob>\n';
    const msg = message([{ kind: 'Exec', cmdID: '1', items: [{ data: { kind: 'xml', xml } }] }]);
    const back = parseSyncML(serializeSyncML(msg));
    expect(back).toEqual(msg);
    const body = bodyOf(msg);
    expect(names(child(child(child(body, 'Exec'), 'Item'), 'Data'))).toEqual(['MsiInstallJob']);
  });

  it('is deterministic', () => {
    const msg = message([{ kind: 'Alert', cmdID: '1', data: '1201', items: [] }]);
    expect(serializeSyncML(msg)).toBe(serializeSyncML(structuredClone(msg)));
  });

  it('omits Final when the message is not final', () => {
    const msg: SyncML = { header, body: { commands: [], final: false } };
    expect(names(child(tree(serializeSyncML(msg)), 'SyncBody'))).toEqual([]);
    expect(parseSyncML(serializeSyncML(msg))).toEqual(msg);
  });
});

describe('models that cannot be written faithfully are refused', () => {
  const refuse = (msg: SyncML, pattern: RegExp): void => {
    let error: unknown;
    try {
      serializeSyncML(msg);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SyncMLSerializeError);
    expect((error as Error).message).toMatch(pattern);
  };
  const withData = (data: { kind: 'xml'; xml: string } | { kind: 'text'; text: string }): SyncML =>
    message([{ kind: 'Replace', cmdID: '1', items: [{ data }] }]);

  it.each([
    ['unbalanced', '<a>'],
    ['a stray end tag', '</Data><Evil/>'],
    ['a DOCTYPE', '<!DOCTYPE x><a/>'],
    ['a processing instruction', '<?pi x?><a/>'],
    ['an undeclared entity', '<a>&xxe;</a>'],
    ['no element at all', 'just text'],
    ['a CR', '<a>\r</a>'],
  ])('xml Data with %s', (_name, xml) => refuse(withData({ kind: 'xml', xml }), /xml Data is not usable/));

  it('characters XML cannot carry', () => {
    refuse(withData({ kind: 'text', text: 'a\u0000b' }), /U\+0000.*items\[0\]\.data/);
    refuse(withData({ kind: 'text', text: '\uD800' }), /U\+D800/);
    refuse(message([], { msgID: '\u0007' }), /header\.msgID/);
  });

  it('empty required values', () => {
    refuse(message([{ kind: 'Get', cmdID: ' ', items: [] }]), /CmdID must not be empty.*body\.commands\[0\]\.cmdID/);
    refuse(message([], { target: { locURI: '' } }), /LocURI/);
    refuse(message([{ kind: 'Status', cmdID: '1', cmdRef: '0', cmd: 'SyncHdr', data: '', items: [] }]), /Data must not be empty/);
  });

  it('Status or Results nested in a container', () => {
    refuse(message([{ kind: 'Atomic', cmdID: '1', commands: [{ kind: 'Status', cmdID: '2', cmdRef: '1', cmd: 'Get', data: '200', items: [] }] }]), /cannot be nested/);
  });

  it('Unknown commands whose names would read back as something else', () => {
    refuse(message([{ kind: 'Unknown', name: 'Get', cmdID: '1', reason: 'x' }]), /Unknown command named "Get"/);
    refuse(message([{ kind: 'Unknown', name: 'Final' }]), /"Final"/);
    refuse(message([{ kind: 'Atomic', cmdID: '1', commands: [{ kind: 'Unknown', name: 'Meta' }] }]), /"Meta"/);
    refuse(message([{ kind: 'Unknown', name: 'not a name' }]), /"not a name"/);
    refuse(message([{ kind: 'Unknown', name: 'p:Foo' }]), /"p:Foo"/);
  });

  it('writes other Unknown commands so they read back the same', () => {
    const msg = message([{ kind: 'Unknown', name: 'Sync', cmdID: '4' }, { kind: 'Unknown', name: 'Map' }, { kind: 'Atomic', cmdID: '1', commands: [{ kind: 'Unknown', name: 'Final' }] }]);
    expect(parseSyncML(serializeSyncML(msg))).toEqual(msg);
  });

  it('misplaced fields and bad numbers', () => {
    refuse(message([{ kind: 'Get', cmdID: '1', correlator: 'c', items: [] }]), /Correlator/);
    refuse(message([{ kind: 'Results', cmdID: '1', cmdRef: '2', noResp: true, items: [] }]), /NoResp/);
    refuse(message([{ kind: 'Get', cmdID: '1', items: [{ meta: { size: -1 } }] }]), /Size/);
    refuse(message([], { meta: { maxMsgSize: 1.5 } }), /MaxMsgSize/);
    refuse(message([{ kind: 'Get', cmdID: '1', items: [{ originalError: '0x1' }] }]), /originalError/);
  });
});

describe('blank CmdRef', () => {
  it('writes and reads back a Status whose CmdRef is blank (the answer to a command without CmdID, OMA-SUP)', async () => {
    const { decodeWbxml, encodeWbxml } = await import('../../src/syncml/wbxml/index.js');
    const msg = message([{ kind: 'Status', cmdID: '2', msgRef: '1', cmdRef: '', cmd: 'Alert', data: '400', items: [] }]);
    expect(parseSyncML(serializeSyncML(msg))).toEqual(msg);
    expect(decodeWbxml(encodeWbxml(msg))).toEqual(msg);
  });
  it('still refuses a blank CmdRef in Results', () => {
    const msg = message([{ kind: 'Results', cmdID: '2', msgRef: '1', cmdRef: '', items: [{ source: { locURI: './A' } }] }]);
    expect(() => serializeSyncML(msg)).toThrow(SyncMLSerializeError);
  });
});
