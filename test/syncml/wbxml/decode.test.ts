import { describe, expect, it } from 'vitest';
import type { Item, ItemCommand, SyncML } from '../../../src/syncml/model.js';
import { decodeWbxml, encodeWbxml, WbxmlError } from '../../../src/syncml/wbxml/index.js';
import {
  bytesOf,
  el,
  END,
  ENTITY,
  header,
  LITERAL_C,
  leaf,
  mb,
  message,
  metinf,
  opaque,
  STR_T,
  str,
  SWITCH_PAGE,
  syncHdr,
  token,
} from './wbxml-bytes.js';

function firstItem(msg: SyncML): Item {
  const cmd = msg.body.commands[0] as ItemCommand;
  return cmd.items[0] as Item;
}

/** Replace CmdID 1 with one item whose Data holds `data` tokens. */
function replaceWithData(...data: number[][]): number[] {
  return el('Replace', leaf('CmdID', '1'), el('Item', el('Target', leaf('LocURI', './x')), el('Data', ...data)));
}

function decodeError(bytes: Uint8Array): WbxmlError {
  try {
    decodeWbxml(bytes);
  } catch (err) {
    if (err instanceof WbxmlError) return err;
    throw err;
  }
  throw new Error('decoded without error');
}

describe('decodeWbxml: strings', () => {
  it('reads STR_T references, including one pointing into the middle of a table string (WAP-192 §5.7)', () => {
    const table = [...bytesOf('./Vendor/MSFT/Policy'), 0, ...bytesOf('Alert'), 0];
    const body = el(
      'Get',
      leaf('CmdID', '2'),
      el('Item', el('Target', el('LocURI', [STR_T, ...mb(0)])), el('Source', el('LocURI', [STR_T, ...mb(9)]))),
    );
    const msg = decodeWbxml(message([body], { table }));
    expect(firstItem(msg)).toEqual({ target: { locURI: './Vendor/MSFT/Policy' }, source: { locURI: 'MSFT/Policy' } });
  });

  it('concatenates inline strings, table strings and character entities', () => {
    const table = [...bytesOf('B'), 0];
    const body = replaceWithData(str('A'), [STR_T, 0], [ENTITY, ...mb(0x263a)], [ENTITY, ...mb(0x1f600)], str('&<'));
    expect(firstItem(decodeWbxml(message([body], { table }))).data).toEqual({ kind: 'text', text: 'AB☺😀&<' });
  });

  it('reads MetInf on code page 1 with numbers, and switches back for the rest', () => {
    const body = el(
      'Replace',
      leaf('CmdID', '1'),
      el('Meta', metinf('Format', 'int'), metinf('Size', '42'), metinf('EMI', 'a'), metinf('EMI', 'b')),
      el('Item', el('Target', leaf('LocURI', './x'))),
    );
    const cmd = decodeWbxml(message([body])).body.commands[0] as ItemCommand;
    expect(cmd.meta).toEqual({ format: 'int', size: 42, emi: ['a', 'b'] });
    expect(cmd.items).toEqual([{ target: { locURI: './x' } }]);
  });
});

describe('decodeWbxml: Data', () => {
  it('OPAQUE holding plain UTF-8 text is text', () => {
    const body = replaceWithData(opaque(bytesOf('a & b <c> ü')));
    expect(firstItem(decodeWbxml(message([body]))).data).toEqual({ kind: 'text', text: 'a & b <c> ü' });
  });

  it('OPAQUE holding well-formed markup is xml, verbatim', () => {
    const xml = '<wap-provisioningdoc>\n <characteristic type=\'x\'/>\n</wap-provisioningdoc>';
    const body = replaceWithData(opaque(bytesOf(xml)));
    expect(firstItem(decodeWbxml(message([body]))).data).toEqual({ kind: 'xml', xml });
  });

  it('OPAQUE starting with "<" that is not well-formed stays text', () => {
    const body = replaceWithData(opaque(bytesOf('<not closed')));
    expect(firstItem(decodeWbxml(message([body]))).data).toEqual({ kind: 'text', text: '<not closed' });
  });

  it('binary OPAQUE (invalid UTF-8 or control characters) becomes base64 text', () => {
    const binary = [0x00, 0xff, 0x10, 0x80];
    expect(firstItem(decodeWbxml(message([replaceWithData(opaque(binary))]))).data).toEqual({
      kind: 'text',
      text: Buffer.from(binary).toString('base64'),
    });
    const controls = [0x41, 0x01, 0x42];
    expect(firstItem(decodeWbxml(message([replaceWithData(opaque(controls))]))).data).toEqual({ kind: 'text', text: 'QQFC' });
  });

  it('element tokens inside Data render as XML, with xmlns where the code page changes', () => {
    const anchor = [
      SWITCH_PAGE, 1, token('Anchor', 1) | 0x40,
      token('Last', 1) | 0x40, ...str('1'), END,
      token('Next', 1) | 0x40, ...str('a<b'), END,
      END, SWITCH_PAGE, 0,
    ];
    const body = replaceWithData(anchor);
    expect(firstItem(decodeWbxml(message([body]))).data).toEqual({
      kind: 'xml',
      xml: '<Anchor xmlns="syncml:metinf"><Last>1</Last><Next>a&lt;b</Next></Anchor>',
    });
  });

  it('LITERAL tags and attributes inside Data render as XML (how xml2wbxml encodes unknown markup)', () => {
    const table = [...bytesOf('wap-provisioningdoc'), 0, ...bytesOf('characteristic'), 0, ...bytesOf('type'), 0];
    const LITERAL_A = 0x84;
    const doc = [
      LITERAL_C, ...mb(0),
      LITERAL_A, ...mb(20), 0x04, ...mb(35), ...str('A"&'), END,
      END,
    ];
    const body = replaceWithData(doc);
    expect(firstItem(decodeWbxml(message([body], { table }))).data).toEqual({
      kind: 'xml',
      xml: '<wap-provisioningdoc><characteristic type="A&quot;&amp;"/></wap-provisioningdoc>',
    });
  });

  it('a DevInf WBXML document inside OPAQUE (public id 0x1203) decodes to DevInf XML', () => {
    const devinfToken = (name: string): number =>
      ({ DevInf: 0x0a, VerDTD: 0x25, Man: 0x11, DevID: 0x09 })[name] as number;
    const devinf = [
      0x02, ...mb(0x1203), 0x6a, 0x00,
      devinfToken('DevInf') | 0x40,
      devinfToken('VerDTD') | 0x40, ...str('1.2'), END,
      devinfToken('Man') | 0x40, ...str('Contoso'), END,
      devinfToken('DevID') | 0x40, ...str('IMEI:1'), END,
      END,
    ];
    const body = replaceWithData(opaque(devinf));
    expect(firstItem(decodeWbxml(message([body]))).data).toEqual({
      kind: 'xml',
      xml: '<DevInf xmlns="syncml:devinf"><VerDTD>1.2</VerDTD><Man>Contoso</Man><DevID>IMEI:1</DevID></DevInf>',
    });
  });

  it('empty Data is empty text', () => {
    expect(firstItem(decodeWbxml(message([replaceWithData()]))).data).toEqual({ kind: 'text', text: '' });
  });
});

describe('decodeWbxml: header', () => {
  const expected = decodeWbxml(message([el('Alert', leaf('CmdID', '1'), leaf('Data', '1201'))]));

  it('accepts the public identifier as a string-table literal', () => {
    const table = [...bytesOf('-//SYNCML//DTD SyncML 1.2//EN'), 0];
    const bytes = message([el('Alert', leaf('CmdID', '1'), leaf('Data', '1201'))], { publicId: [0x00, 0x00], table });
    expect(decodeWbxml(bytes)).toEqual(expected);
  });

  it('accepts an unknown public identifier (0x01), SyncML 1.1 (0x0FD3), charset 0, and WBXML 1.0, 1.1, 1.2', () => {
    const body = [el('Alert', leaf('CmdID', '1'), leaf('Data', '1201'))];
    expect(decodeWbxml(message(body, { publicId: [0x01] }))).toEqual(expected);
    expect(decodeWbxml(message(body, { publicId: mb(0x0fd3) }))).toEqual(expected);
    expect(decodeWbxml(message(body, { charset: [0x00] }))).toEqual(expected);
    expect(decodeWbxml(message(body, { version: 0x01 }))).toEqual(expected);
    expect(decodeWbxml(message(body, { version: 0x02 }))).toEqual(expected);
    const v10 = new Uint8Array([0x00, ...mb(0x1201), 0x00, ...el('SyncML', syncHdr, el('SyncBody', ...body, el('Final')))]);
    expect(decodeWbxml(v10)).toEqual(expected);
  });

  it('reads what encodeWbxml writes, byte for byte the same after a second trip', () => {
    const bytes = message([el('Alert', leaf('CmdID', '1'), leaf('Data', '1201'))]);
    expect(encodeWbxml(decodeWbxml(bytes))).toEqual(bytes);
    expect(header().length).toBe(5);
  });
});

describe('decodeWbxml: structure', () => {
  it('keeps unknown commands (token or LITERAL) in order as Unknown', () => {
    const table = [...bytesOf('VendorThing'), 0];
    const bytes = message(
      [
        el('Map', leaf('CmdID', '3')),
        [LITERAL_C, 0x00, ...leaf('CmdID', '4'), END],
        el('Alert', leaf('CmdID', '5'), leaf('Data', '1201')),
      ],
      { table },
    );
    expect(decodeWbxml(bytes).body.commands).toEqual([
      { kind: 'Unknown', name: 'Map', cmdID: '3' },
      { kind: 'Unknown', name: 'VendorThing', cmdID: '4' },
      { kind: 'Alert', cmdID: '5', data: '1201', items: [] },
    ]);
  });

  it.each([
    ['a command without CmdID', el('Alert', leaf('Data', '1201')), { name: 'Alert' }],
    ['two CmdIDs', el('Alert', leaf('CmdID', '1'), leaf('CmdID', '2'), leaf('Data', '1201')), { name: 'Alert' }],
    ['a Status without Cmd', el('Status', leaf('CmdID', '9'), leaf('CmdRef', '0'), leaf('Data', '200')), { name: 'Status', cmdID: '9' }],
    ['text directly in an Item', el('Get', leaf('CmdID', '3'), el('Item', str('stray'))), { name: 'Get', cmdID: '3' }],
    ['an element inside LocURI', el('Get', leaf('CmdID', '3'), el('Item', el('Target', el('LocURI', el('Final'))))), { name: 'Get', cmdID: '3' }],
    ['a non-number MaxMsgSize', el('Get', leaf('CmdID', '3'), el('Meta', metinf('MaxMsgSize', '12x'))), { name: 'Get', cmdID: '3' }],
    ['a SyncML element inside Meta (wrong code page)', el('Get', leaf('CmdID', '3'), el('Meta', leaf('Lang', 'en'))), { name: 'Get', cmdID: '3' }],
    ['a MetInf element outside Meta (wrong code page)', el('Get', leaf('CmdID', '3'), metinf('Type', 'x')), { name: 'Get', cmdID: '3' }],
  ])('keeps %s as an Unknown command with a reason, as the XML codec does', (_name, command, expected) => {
    const [cmd] = decodeWbxml(message([command])).body.commands;
    expect(cmd).toMatchObject({ kind: 'Unknown', ...expected });
    expect(cmd).toHaveProperty('reason');
  });

  it('refuses an unreadable header with invalid-structure at the offending element', () => {
    const hdr = el('SyncHdr', leaf('VerDTD', '1.2'), leaf('VerProto', 'DM/1.2'), leaf('SessionID', '1'), leaf('MsgID', '1'),
      el('Target', leaf('LocURI', 'a')), el('Source', leaf('LocURI', 'b')), el('Meta', metinf('MaxMsgSize', 'lots')));
    const bytes = new Uint8Array([...header(), ...el('SyncML', hdr, el('SyncBody', el('Final')))]);
    const err = decodeError(bytes);
    expect(err.code).toBe('invalid-structure');
    expect(err.message).toContain('MaxMsgSize');
    const maxMsgSizeAt = bytes.indexOf(token('MaxMsgSize', 1) | 0x40);
    expect(err.offset).toBe(maxMsgSizeAt);
  });

  it('refuses a header without SessionID', () => {
    const hdr = el('SyncHdr', leaf('VerDTD', '1.2'), leaf('VerProto', 'DM/1.2'), leaf('MsgID', '1'),
      el('Target', leaf('LocURI', 'a')), el('Source', leaf('LocURI', 'b')));
    const err = decodeError(new Uint8Array([...header(), ...el('SyncML', hdr, el('SyncBody', el('Final')))]));
    expect(err).toMatchObject({ code: 'invalid-structure', offset: header().length + 1 });
  });

  it('refuses a root other than SyncML with not-syncml at the root', () => {
    const err = decodeError(new Uint8Array([...header(), ...el('SyncBody', el('Final'))]));
    expect(err).toMatchObject({ code: 'not-syncml', offset: header().length });
  });

  it('ignores attributes on SyncML elements, except msft:originalerror on Data (as the XML codec)', () => {
    const table = [...bytesOf('lang'), 0, ...bytesOf('msft:originalerror'), 0];
    const LITERAL = 0x04;
    const alert = [token('Alert') | 0xc0, LITERAL, 0x00, ...str('en'), END, ...leaf('CmdID', '1'), ...leaf('Data', '1201'), END];
    const status = [
      ...[token('Status') | 0x40, ...leaf('CmdID', '2'), ...leaf('MsgRef', '1'), ...leaf('CmdRef', '3'), ...leaf('Cmd', 'Get')],
      ...[token('Data') | 0xc0, LITERAL, 5, ...str(' 0x86000002 '), END, ...str('500'), END, END],
    ];
    expect(decodeWbxml(message([alert, status], { table })).body.commands).toEqual([
      { kind: 'Alert', cmdID: '1', data: '1201', items: [] },
      { kind: 'Status', cmdID: '2', msgRef: '1', cmdRef: '3', cmd: 'Get', data: '500', originalError: '0x86000002', items: [] },
    ]);
  });
});
