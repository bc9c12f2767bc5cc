/** How the parser reads real-world variations: namespaces, Data kinds, whitespace, unknown elements. */
import { describe, expect, it } from 'vitest';
import { parseSyncML, type Command, type DataValue, type SyncML } from '../../src/syncml/index.js';

const HEADER = `<SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID><Target><LocURI>https://mdm.example/</LocURI></Target><Source><LocURI>dev-1</LocURI></Source></SyncHdr>`;
const wrap = (body: string, header = HEADER, root = '<SyncML xmlns="SYNCML:SYNCML1.2">', close = '</SyncML>'): string =>
  `${root}${header}<SyncBody>${body}</SyncBody>${close}`;
const commands = (body: string): Command[] => parseSyncML(wrap(body)).body.commands;
const dataOf = (inner: string): DataValue | undefined => {
  const c = commands(`<Replace><CmdID>1</CmdID><Item><Data>${inner}</Data></Item></Replace>`)[0];
  return c?.kind === 'Replace' ? c.items[0]?.data : undefined;
};

describe('namespaces as devices send them', () => {
  it.each([
    '<SyncML xmlns="SYNCML:SYNCML1.2">',
    "<SyncML xmlns='SYNCML:SYNCML1.1'>",
    '<SyncML xmlns="syncml:syncml1.2">',
    '<SyncML xmlns=" SYNCML:SYNCML1.2 ">',
    '<SyncML>',
    '<SyncML xmlns:msft="http://schemas.microsoft.com/MobileDevice/MDM">',
  ])('accepts the root %s', (root) => {
    expect(parseSyncML(wrap('<Final/>', HEADER, root)).body.final).toBe(true);
  });

  it('accepts a prefixed root and prefixed elements, matching by local name', () => {
    const msg = parseSyncML(
      `<s:SyncML xmlns:s="SYNCML:SYNCML1.2"><s:SyncHdr><s:VerDTD>1.2</s:VerDTD><s:VerProto>DM/1.2</s:VerProto><s:SessionID>7</s:SessionID><s:MsgID>3</s:MsgID><s:Target><s:LocURI>a</s:LocURI></s:Target><s:Source><s:LocURI>b</s:LocURI></s:Source></s:SyncHdr><s:SyncBody><s:Get><s:CmdID>2</s:CmdID><s:Item><s:Target><s:LocURI>./x</s:LocURI></s:Target><s:Meta><m:Type xmlns:m="syncml:metinf">t</m:Type></s:Meta></s:Item></s:Get><s:Final/></s:SyncBody></s:SyncML>`,
    );
    expect(msg.header.sessionID).toBe('7');
    expect(msg.body.commands[0]).toEqual({ kind: 'Get', cmdID: '2', items: [{ target: { locURI: './x' }, meta: { type: 't' } }] });
  });

  it.each(['syncml:metinf', 'syncml:metinfo', 'syncml:metinf ', 'SYNCML:METINF', ''])('reads Meta children in namespace "%s"', (ns) => {
    const c = commands(`<Replace><CmdID>1</CmdID><Item><Meta><Format xmlns="${ns}">int</Format><Type xmlns="${ns}">text/plain</Type></Meta><Data>1</Data></Item></Replace>`)[0];
    expect(c?.kind === 'Replace' && c.items[0]?.meta).toEqual({ format: 'int', type: 'text/plain' });
  });

  it('accepts an XML declaration, also after leading whitespace', () => {
    expect(parseSyncML(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${wrap('')}`).body.commands).toEqual([]);
    expect(parseSyncML(`\n  <?xml version='1.0'?>${wrap('')}`).header.msgID).toBe('1');
  });
});

describe('Data', () => {
  it('unescapes text: the five entities and numeric references', () => {
    expect(dataOf('a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; &#65;&#x42;&#x1F600;')).toEqual({ kind: 'text', text: `a <b> & "c" 'd' AB😀` });
  });

  it('reads CDATA as text, verbatim, and concatenates it with escaped text', () => {
    expect(dataOf('<![CDATA[<wap-provisioningdoc>&amp;</wap-provisioningdoc>]]>')).toEqual({ kind: 'text', text: '<wap-provisioningdoc>&amp;</wap-provisioningdoc>' });
    expect(dataOf('x &lt; <![CDATA[<y>]]> z')).toEqual({ kind: 'text', text: 'x < <y> z' });
  });

  it('keeps embedded markup as xml, verbatim (entities untouched)', () => {
    expect(dataOf('\n  <MsiInstallJob id="{1}"><a b="&amp;">x &lt; y</a></MsiInstallJob>\n')).toEqual({
      kind: 'xml',
      xml: '\n  <MsiInstallJob id="{1}"><a b="&amp;">x &lt; y</a></MsiInstallJob>\n',
    });
    expect(dataOf('<a/>text<![CDATA[<c>]]>')).toEqual({ kind: 'xml', xml: '<a/>text<![CDATA[<c>]]>' });
  });

  it('keeps an embedded element called Data inside Data', () => {
    expect(dataOf('<Data>inner</Data>')).toEqual({ kind: 'xml', xml: '<Data>inner</Data>' });
  });

  it('keeps whitespace exactly, including whitespace-only and empty Data', () => {
    expect(dataOf('  two  spaces  ')).toEqual({ kind: 'text', text: '  two  spaces  ' });
    expect(dataOf(' \n\t ')).toEqual({ kind: 'text', text: ' \n\t ' });
    expect(dataOf('')).toEqual({ kind: 'text', text: '' });
    const c = commands('<Replace><CmdID>1</CmdID><Item><Data/></Item></Replace>')[0];
    expect(c?.kind === 'Replace' && c.items[0]?.data).toEqual({ kind: 'text', text: '' });
  });

  it('applies XML line-ending normalisation only: CRLF and CR become LF, &#13; stays CR', () => {
    expect(dataOf('a\r\nb\rc&#13;d')).toEqual({ kind: 'text', text: 'a\nb\nc\rd' });
  });

  it('drops comments, which are not data', () => {
    expect(dataOf('a<!-- note -->b')).toEqual({ kind: 'text', text: 'ab' });
  });

  it('reads msft:originalerror on Item Data and on Status Data', () => {
    const [status, results] = commands(
      `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>2</CmdRef><Cmd>Get</Cmd><Data xmlns:msft="http://schemas.microsoft.com/MobileDevice/MDM" msft:originalerror="0x86000002">404</Data></Status>` +
        `<Results><CmdID>2</CmdID><CmdRef>3</CmdRef><Item><Source><LocURI>./a</LocURI></Source><Data msft:originalerror=" 0x1 ">x</Data></Item></Results>`,
    );
    expect(status).toMatchObject({ kind: 'Status', data: '404', originalError: '0x86000002' });
    expect(results?.kind === 'Results' && results.items[0]).toEqual({ source: { locURI: './a' }, data: { kind: 'text', text: 'x' }, originalError: '0x1' });
  });
});

describe('structural values', () => {
  it('trims LocURI, CmdID, codes and Meta values but keeps inner spaces; ids stay strings', () => {
    const msg = parseSyncML(
      wrap(
        '<Status>\n <CmdID> 01 </CmdID><MsgRef> 1 </MsgRef><CmdRef> 0 </CmdRef><Cmd> SyncHdr </Cmd><Data>\n200\n</Data></Status>' +
          '<Get><CmdID>2</CmdID><Item><Target><LocURI>\n  ./Vendor/MSFT/A B\n</LocURI><LocName> n </LocName></Target><Meta><Type> text/plain </Type><Size> 12 </Size></Meta></Item></Get>',
        HEADER.replace('<SessionID>1</SessionID>', '<SessionID> 0A1 </SessionID>').replace('<MsgID>1</MsgID>', '<MsgID>007</MsgID>'),
      ),
    );
    expect(msg.header.sessionID).toBe('0A1');
    expect(msg.header.msgID).toBe('007');
    expect(msg.body.commands[0]).toEqual({ kind: 'Status', cmdID: '01', msgRef: '1', cmdRef: '0', cmd: 'SyncHdr', data: '200', items: [] });
    expect(msg.body.commands[1]).toEqual({
      kind: 'Get',
      cmdID: '2',
      items: [{ target: { locURI: './Vendor/MSFT/A B', locName: 'n' }, meta: { type: 'text/plain', size: 12 } }],
    });
  });

  it('trims only XML white space, not NBSP', () => {
    const c = commands('<Get><CmdID>1</CmdID><Item><Target><LocURI>\u00A0./a\u00A0</LocURI></Target></Item></Get>')[0];
    expect(c?.kind === 'Get' && c.items[0]?.target?.locURI).toBe('\u00A0./a\u00A0');
  });

  it('accepts Item children in any order', () => {
    const forms = [
      '<Item><Target><LocURI>./a</LocURI></Target><Meta><Format>int</Format></Meta><Data>1</Data></Item>',
      '<Item><Meta><Format>int</Format></Meta><Target><LocURI>./a</LocURI></Target><Data>1</Data></Item>',
      '<Item><Data>1</Data><Meta><Format>int</Format></Meta><Target><LocURI>./a</LocURI></Target></Item>',
    ];
    const parsed = forms.map((item) => commands(`<Replace><CmdID>1</CmdID>${item}</Replace>`));
    expect(parsed[1]).toEqual(parsed[0]);
    expect(parsed[2]).toEqual(parsed[0]);
  });

  it('reads every Meta field; numbers become numbers, EMI stays exact', () => {
    const c = commands(
      '<Replace><CmdID>1</CmdID><Meta><Format>b64</Format><Type>t</Type><Mark>critical</Mark><Size>10</Size><Version>1.0</Version><NextNonce>bm9uY2U=</NextNonce><MaxMsgSize>65536</MaxMsgSize><MaxObjSize>4000000</MaxObjSize><EMI> a </EMI><EMI>b</EMI></Meta><Item/></Replace>',
    )[0];
    expect(c?.kind === 'Replace' && c.meta).toEqual({ format: 'b64', type: 't', mark: 'critical', size: 10, version: '1.0', nextNonce: 'bm9uY2U=', maxMsgSize: 65536, maxObjSize: 4000000, emi: [' a ', 'b'] });
  });

  it('reads the whole SyncHdr including RespURI, NoResp, Cred and Meta', () => {
    const msg = parseSyncML(
      wrap(
        '',
        HEADER.replace(
          '</SyncHdr>',
          '<RespURI> https://mdm.example/next </RespURI><NoResp/><Cred><Meta><Type>syncml:auth-md5</Type><Format>b64</Format></Meta><Data> ZGlnZXN0 </Data></Cred><Meta><MaxMsgSize>512000</MaxMsgSize><MaxObjSize>1048576</MaxObjSize></Meta></SyncHdr>',
        ).replace('<LocURI>dev-1</LocURI>', '<LocURI>dev-1</LocURI><LocName>user</LocName>'),
      ),
    );
    expect(msg.header).toEqual({
      verDTD: '1.2',
      verProto: 'DM/1.2',
      sessionID: '1',
      msgID: '1',
      target: { locURI: 'https://mdm.example/' },
      source: { locURI: 'dev-1', locName: 'user' },
      respURI: 'https://mdm.example/next',
      noResp: true,
      cred: { meta: { type: 'syncml:auth-md5', format: 'b64' }, data: 'ZGlnZXN0' },
      meta: { maxMsgSize: 512000, maxObjSize: 1048576 },
    });
  });

  it('keeps command order, reads Final wherever it is, and reads MoreData and NoResp', () => {
    const msg = parseSyncML(
      wrap('<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status><Final/><Replace><CmdID>2</CmdID><NoResp/><Item><Data>chunk</Data><MoreData/></Item></Replace>'),
    );
    expect(msg.body.final).toBe(true);
    expect(msg.body.commands.map((c) => c.kind)).toEqual(['Status', 'Replace']);
    expect(msg.body.commands[1]).toEqual({ kind: 'Replace', cmdID: '2', noResp: true, items: [{ data: { kind: 'text', text: 'chunk' }, moreData: true }] });
    expect(parseSyncML(wrap('')).body.final).toBe(false);
  });

  it('defaults CmdRef: "0" for a SyncHdr Status without one, "1" for Results without one (MS-MDM)', () => {
    const [status, results] = commands('<Status><CmdID>1</CmdID><Cmd>SyncHdr</Cmd><Data>212</Data></Status><Results><CmdID>2</CmdID><Item/></Results>');
    expect(status).toMatchObject({ cmdRef: '0' });
    expect(results).toMatchObject({ cmdRef: '1' });
  });

  it('reads Exec Correlator, Alert Correlator, command Cred and Status Cred/Chal/Items', () => {
    const [exec, alert, status] = commands(
      '<Exec><CmdID>1</CmdID><Correlator>c1</Correlator><Item><Target><LocURI>./x</LocURI></Target></Item></Exec>' +
        '<Alert><CmdID>2</CmdID><Cred><Data>x</Data></Cred><Data>1226</Data><Correlator>c2</Correlator></Alert>' +
        '<Status><CmdID>3</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Chal><Meta><Type>syncml:auth-md5</Type><Format>b64</Format><NextNonce>Tm9uY2U=</NextNonce></Meta></Chal><Data>401</Data><Item><Data>why</Data></Item></Status>',
    );
    expect(exec).toEqual({ kind: 'Exec', cmdID: '1', correlator: 'c1', items: [{ target: { locURI: './x' } }] });
    expect(alert).toEqual({ kind: 'Alert', cmdID: '2', cred: { data: 'x' }, data: '1226', correlator: 'c2', items: [] });
    expect(status).toMatchObject({ chal: { meta: { type: 'syncml:auth-md5', format: 'b64', nextNonce: 'Tm9uY2U=' } }, data: '401', items: [{ data: { kind: 'text', text: 'why' } }] });
  });
});

describe('unknown elements and unreadable commands become Unknown (the engine answers 400)', () => {
  it('keeps an unknown element under SyncBody with its CmdID', () => {
    expect(commands('<Sync><CmdID>4</CmdID><Target><LocURI>x</LocURI></Target></Sync>')).toEqual([{ kind: 'Unknown', name: 'Sync', cmdID: '4' }]);
    expect(commands('<Map/>')).toEqual([{ kind: 'Unknown', name: 'Map' }]);
  });

  it('keeps unknown elements inside Atomic and Sequence, and keeps the container', () => {
    const [atomic] = commands('<Atomic><CmdID>1</CmdID><Sequence><CmdID>2</CmdID><Put><CmdID>3</CmdID></Put></Sequence><Search/></Atomic>');
    expect(atomic).toEqual({
      kind: 'Atomic',
      cmdID: '1',
      commands: [
        { kind: 'Sequence', cmdID: '2', commands: [{ kind: 'Unknown', name: 'Put', cmdID: '3' }] },
        { kind: 'Unknown', name: 'Search' },
      ],
    });
  });

  it('turns Status or Results nested in Atomic into Unknown', () => {
    const [atomic] = commands('<Atomic><CmdID>1</CmdID><Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>1</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status></Atomic>');
    expect(atomic?.kind === 'Atomic' && atomic.commands[0]).toMatchObject({ kind: 'Unknown', name: 'Status', cmdID: '2', reason: expect.stringMatching(/not allowed inside <Atomic>/) });
  });

  it.each([
    ['no CmdID', '<Get><Item><Target><LocURI>./a</LocURI></Target></Item></Get>', undefined, /missing <CmdID>/],
    ['an empty CmdID', '<Get><CmdID> </CmdID><Item/></Get>', undefined, /empty/],
    ['an unknown child', '<Get><CmdID>5</CmdID><Lang>en</Lang><Item/></Get>', '5', /unexpected element <Lang>/],
    ['text in an Item', '<Replace><CmdID>6</CmdID><Item>...</Item></Replace>', '6', /unexpected text "..."/],
    ['two Meta', '<Add><CmdID>7</CmdID><Meta/><Meta/><Item/></Add>', '7', /at most one/],
    ['a non-numeric Size', '<Add><CmdID>8</CmdID><Item><Meta><Size>-1</Size></Meta></Item></Add>', '8', /non-negative integer/],
    ['markup in a Status code', '<Status><CmdID>9</CmdID><MsgRef>1</MsgRef><CmdRef>1</CmdRef><Cmd>Get</Cmd><Data><b>200</b></Data></Status>', '9', /status code/],
    ['an Alert without Data', '<Alert><CmdID>10</CmdID></Alert>', '10', /missing <Data>/],
    ['a Correlator outside Exec', '<Get><CmdID>11</CmdID><Correlator>x</Correlator><Item/></Get>', '11', /Correlator/],
    ['NoResp in Status', '<Status><CmdID>12</CmdID><NoResp/><MsgRef>1</MsgRef><CmdRef>1</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>', '12', /NoResp/],
    ['MoreData with content', '<Replace><CmdID>13</CmdID><Item><MoreData>yes</MoreData></Item></Replace>', '13', /must be empty/],
  ])('a command with %s', (_name, xml, cmdID, reason) => {
    const [c] = commands(xml);
    expect(c?.kind).toBe('Unknown');
    if (c?.kind !== 'Unknown') return;
    expect(c.cmdID).toBe(cmdID);
    expect(c.reason).toMatch(reason);
    expect(c.reason).toMatch(/\(at SyncML\/SyncBody\//);
  });

  it('reads the other commands of the message normally', () => {
    const msg: SyncML = parseSyncML(wrap('<Get><Item/></Get><Get><CmdID>2</CmdID><Item/></Get>'));
    expect(msg.body.commands.map((c) => c.kind)).toEqual(['Unknown', 'Get']);
  });
});
