/**
 * Every example message found in Microsoft's MS-MDM / Windows client-management docs and the OMA-DM
 * protocol spec (test/syncml/fixtures/*.xml, each opening with a comment naming its source) parses,
 * and parse(serialize(parse(x))) equals parse(x). rejected/ and tolerated/ hold samples as published
 * that must fail with a given code, or parse with a given command turned into an Unknown.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSyncML, serializeSyncML, SyncMLParseError, type Command, type Container, type ItemCommand, type SyncML } from '../../src/syncml/index.js';

const dir = join(import.meta.dirname, 'fixtures');
const xmlFiles = (sub: string): string[] =>
  readdirSync(join(dir, sub))
    .filter((f) => f.endsWith('.xml'))
    .sort();
const read = (sub: string, file: string): string => readFileSync(join(dir, sub, file), 'utf8');
/** The leading source note, and what follows it. */
function split(text: string): { note: string; rest: string } {
  const end = text.indexOf('-->');
  return { note: text.slice(0, end), rest: text.slice(end + 3) };
}
const fixtures = xmlFiles('.');

function commandsOf(msg: SyncML): Command[] {
  return msg.body.commands;
}
type CommandOf<K extends Command['kind']> = K extends ItemCommand['kind'] ? ItemCommand : K extends Container['kind'] ? Container : Extract<Command, { kind: K }>;
function command<K extends Command['kind']>(msg: SyncML, index: number, kind: K): CommandOf<K> {
  const c = commandsOf(msg)[index];
  expect(c?.kind).toBe(kind);
  return c as CommandOf<K>;
}

describe('fixtures from the MS-MDM, Windows client-management and OMA-DM documentation', () => {
  it('has at least 20 of them, each opening with a comment that names its source', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(20);
    for (const file of fixtures) {
      const text = read('.', file);
      expect(text.startsWith('<!--'), file).toBe(true);
      expect(split(text).note, file).toMatch(/Source:/);
    }
  });

  it.each(fixtures)('%s parses and round-trips', (file) => {
    const first = parseSyncML(read('.', file));
    const xml = serializeSyncML(first);
    const second = parseSyncML(xml);
    expect(second).toEqual(first);
    // Deterministic: serializing the re-read model gives the same bytes.
    expect(serializeSyncML(second)).toBe(xml);
    // Nothing was dropped into Unknown in a documented example.
    const unknown = JSON.stringify(first).includes('"kind":"Unknown"');
    expect(unknown, file).toBe(false);
  });

  it('reads Buffer input the same as string input', () => {
    for (const file of fixtures) {
      expect(parseSyncML(readFileSync(join(dir, file)))).toEqual(parseSyncML(read('.', file)));
    }
  });
});

describe('what the fixtures contain', () => {
  const parse = (file: string): SyncML => parseSyncML(read('.', file));

  it('MS-MDM §4 message 1: header, LoginStatus alert, DevInfo replace', () => {
    const msg = parse('ms-mdm-4-msg1-client-init.xml');
    expect(msg.header).toEqual({
      verDTD: '1.2',
      verProto: 'DM/1.2',
      sessionID: '1',
      msgID: '1',
      target: { locURI: 'https://contoso.com/management-server' },
      source: { locURI: '{unique device id}' },
    });
    const alert = command(msg, 0, 'Alert');
    expect(alert).toMatchObject({ cmdID: '2', data: '1224' });
    expect(alert.items[0]).toEqual({ meta: { type: 'com.microsoft/MDM/LoginStatus' }, data: { kind: 'text', text: 'user' } });
    const replace = command(msg, 1, 'Replace');
    expect(replace.items.map((i) => i.source?.locURI)).toEqual(['./DevInfo/DevId', './DevInfo/Man', './DevInfo/Mod', './DevInfo/DmV', './DevInfo/Lang']);
    expect(msg.body.final).toBe(true);
  });

  it('MS-MDM §4 message 2 keeps the space inside "./ DevDetail/HwV" but trims around LocURI', () => {
    const msg = parse('ms-mdm-4-msg2-server-get.xml');
    expect(command(msg, 0, 'Status')).toMatchObject({ cmdRef: '0', cmd: 'SyncHdr', data: '200', msgRef: '1' });
    expect(command(msg, 2, 'Get').items[0]?.target?.locURI).toBe('./ DevDetail/HwV');
  });

  it('MS-MDM §4 message 3: Results carry Cmd and Meta Format', () => {
    const results = command(parse('ms-mdm-4-msg3-client-results.xml'), 3, 'Results');
    expect(results).toMatchObject({ cmdID: '4', msgRef: '1', cmdRef: '4', cmd: 'Get' });
    expect(results.items[0]?.meta).toEqual({ format: 'chr' });
  });

  it('OMA-DM example 1 pkg 1: Cred in the header (comment-only Data is empty) and MaxMsgSize as a number', () => {
    const msg = parse('oma-dm-protocol-ex1-pkg1.xml');
    expect(msg.header.cred).toEqual({ meta: { type: 'syncml:auth-basic', format: 'b64' }, data: '' });
    expect(msg.header.meta).toEqual({ maxMsgSize: 5000 });
  });

  it('OMA-DM example 1 pkg 2: Status fields in any order, Sequence nesting, multi-line Meta Type', () => {
    const msg = parse('oma-dm-protocol-ex1-pkg2.xml');
    expect(command(msg, 0, 'Status')).toEqual({
      kind: 'Status',
      cmdID: '6',
      msgRef: '1',
      cmdRef: '0',
      cmd: 'SyncHdr',
      targetRef: ['http://www.syncml.org/mgmt-server'],
      sourceRef: ['IMEI:493005100592800'],
      data: '212',
      items: [],
    });
    const seq = command(msg, 3, 'Sequence');
    expect(seq.commands.map((c) => c.kind)).toEqual(['Alert', 'Replace']);
    expect(seq.commands[0]).toMatchObject({ data: '1101', items: [{}, { data: { kind: 'text', text: 'Do you want to add the CNN access point?' } }] });
    expect((seq.commands[1] as ItemCommand).meta).toEqual({ format: 'b64', type: 'application/vnd.wap.connectivity-wbxml' });
  });

  it('OMA-DM example 2 pkg 3: a SyncHdr Status without CmdRef means CmdRef 0; Results without Cmd', () => {
    const msg = parse('oma-dm-protocol-ex2-pkg3.xml');
    expect(command(msg, 0, 'Status')).toMatchObject({ cmd: 'SyncHdr', cmdRef: '0', data: '212' });
    const results = command(msg, 3, 'Results');
    expect(results.cmd).toBeUndefined();
    expect(results.items[0]?.data).toEqual({ kind: 'text', text: 'antivirus-inc/20010522b/5' });
  });

  it('OMA-DM basic auth pkg 2: Status with Chal', () => {
    const status = command(parse('oma-dm-protocol-auth-basic-pkg2-chal.xml'), 0, 'Status');
    expect(status.chal).toEqual({ meta: { type: 'syncml:auth-basic', format: 'b64' } });
    expect(status.data).toBe('407');
  });

  it('unenrollment: metinfo misspelling and the space before the Type are tolerated', () => {
    const alert = command(parse('unenroll-user-initiated.xml'), 0, 'Alert');
    expect(alert.data).toBe('1226');
    expect(alert.items[0]?.meta).toEqual({ type: 'com.microsoft:mdm.unenrollment.userrequest', format: 'int' });
  });

  it('Entra samples: the "syncml:metinf " namespace with a trailing space', () => {
    const alert = command(parse('aad-user-token-alert.xml'), 0, 'Alert');
    expect(alert.items[0]).toEqual({ meta: { type: 'com.microsoft/MDM/AADUserToken' }, data: { kind: 'text', text: 'UserToken inserted here' } });
  });

  it('EnterpriseDesktopAppManagement: embedded MsiInstallJob markup is xml Data, kept verbatim', () => {
    const exec = command(parse('edam-install-msi-user.xml'), 1, 'Exec');
    const data = exec.items[0]?.data;
    expect(data?.kind).toBe('xml');
    if (data?.kind !== 'xml') return;
    expect(data.xml.trim().startsWith('<MsiInstallJob id="{9BD4F7CD-880A-40B5-B74C-1BEECB51E596}">')).toBe(true);
    expect(data.xml).toContain('\n                        http://bcl-w2k12r2-vm/testapps/msi/reboot/reboot.msi\n');
  });

  it('EnterpriseDesktopAppManagement: a LocURI broken over two lines is trimmed', () => {
    const add = command(parse('edam-install-msi-device.xml'), 0, 'Add');
    expect(add.items[0]?.target?.locURI).toBe('./Device /Vendor/MSFT/EnterpriseDesktopAppManagement/MSI/%7B6F7CB29F-1319-4816-B345-0856916EB801%7D/DownloadInstall');
  });

  it('SYNCML:SYNCML1.1 samples parse', () => {
    expect(command(parse('dcfg-abandon.xml'), 0, 'Replace').items[0]?.meta).toEqual({ format: 'int', type: 'text/plain' });
  });

  it('DeclaredConfiguration alert: embedded XML markup', () => {
    const data = command(parse('dcfg-generic-alert.xml'), 0, 'Alert').items[0]?.data;
    expect(data?.kind).toBe('xml');
  });

  it('resource access: a CDATA payload (with its own XML declaration) is text', () => {
    const data = command(parse('dcra-configure-vpnv2.xml'), 0, 'Replace').items[0]?.data;
    expect(data?.kind).toBe('text');
    if (data?.kind !== 'text') return;
    expect(data.text.startsWith('<?xml version="1.0" encoding="utf-8"?>\n            <DeclaredConfiguration')).toBe(true);
    expect(data.text).toContain('type="chr">&lt;custom&gt;&lt;/custom&gt;</URI>');
  });

  it('resource access response: escaped XML in Results Data is text with the markup unescaped', () => {
    const data = command(parse('dcra-get-vpnv2-response.xml'), 2, 'Results').items[0]?.data;
    expect(data?.kind).toBe('text');
    if (data?.kind !== 'text') return;
    expect(data.text.startsWith('<DeclaredConfigurationResult context="user"')).toBe(true);
    expect(data.text.endsWith('</CSP></DeclaredConfigurationResult>')).toBe(true);
  });
});

describe('samples as published that must be rejected', () => {
  it.each(xmlFiles('rejected'))('%s', (file) => {
    const { note, rest } = split(read('rejected', file));
    const expected = /Expected: ([a-z-]+)/.exec(note)?.[1];
    expect(expected).toBeTruthy();
    let error: unknown;
    try {
      parseSyncML(rest);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SyncMLParseError);
    expect((error as SyncMLParseError).code).toBe(expected);
  });
});

describe('samples as published that parse with a command answered as Unknown', () => {
  it.each(xmlFiles('tolerated'))('%s', (file) => {
    const text = read('tolerated', file);
    const [, name, cmdID] = /Expected: Unknown (\w+) (\S+)/.exec(split(text).note) ?? [];
    const msg = parseSyncML(text);
    const unknown = msg.body.commands.find((c) => c.kind === 'Unknown');
    expect(unknown).toMatchObject({ kind: 'Unknown', name, cmdID });
    expect(unknown?.kind === 'Unknown' && unknown.reason).toMatch(/unexpected/);
  });
});
