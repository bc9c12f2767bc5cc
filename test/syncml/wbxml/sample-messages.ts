import type { SyncML } from '../../../src/syncml/model.js';

/** Model messages built directly (no XML codec involved), covering every command and field the model has. */

const DMCLIENT = './Vendor/MSFT/DMClient/Provider/omadm-gateway';

export const deviceCheckIn: SyncML = {
  header: {
    verDTD: '1.2',
    verProto: 'DM/1.2',
    sessionID: '1A',
    msgID: '1',
    target: { locURI: 'https://mdm.example.com/ManagementServer/MDM.svc' },
    source: { locURI: 'urn:uuid:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', locName: 'DESKTOP-1' },
    cred: { meta: { format: 'b64', type: 'syncml:auth-md5' }, data: 'bWQ1ZGlnZXN0PT0=' },
    meta: { maxMsgSize: 65535, maxObjSize: 1048576 },
  },
  body: {
    commands: [
      { kind: 'Alert', cmdID: '1', data: '1201', items: [] },
      {
        kind: 'Alert',
        cmdID: '2',
        data: '1224',
        items: [
          {
            meta: { type: 'com.microsoft/MDM/LoginStatus', format: 'chr' },
            data: { kind: 'text', text: 'user' },
          },
        ],
      },
      {
        kind: 'Replace',
        cmdID: '3',
        items: [
          { source: { locURI: './DevInfo/DevId' }, data: { kind: 'text', text: 'urn:uuid:0f1e2d3c' } },
          { source: { locURI: './DevInfo/Man' }, data: { kind: 'text', text: 'Contoso Ltd. – Gerät Ω 日本' } },
          { source: { locURI: './DevInfo/Mod' }, data: { kind: 'text', text: 'Surface <Pro> & "Co"' } },
          { source: { locURI: './DevInfo/DmV' }, data: { kind: 'text', text: '1.3' } },
          { source: { locURI: './DevInfo/Lang' }, data: { kind: 'text', text: 'en-US' } },
        ],
      },
    ],
    final: true,
  },
};

export const serverReply: SyncML = {
  header: {
    verDTD: '1.2',
    verProto: 'DM/1.2',
    sessionID: '1A',
    msgID: '1',
    target: { locURI: 'urn:uuid:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0' },
    source: { locURI: 'https://mdm.example.com/ManagementServer/MDM.svc' },
    respURI: 'https://mdm.example.com/ManagementServer/MDM.svc?s=1A',
    meta: { maxMsgSize: 524288 },
  },
  body: {
    commands: [
      {
        kind: 'Status',
        cmdID: '1',
        msgRef: '1',
        cmdRef: '0',
        cmd: 'SyncHdr',
        targetRef: ['https://mdm.example.com/ManagementServer/MDM.svc'],
        sourceRef: ['urn:uuid:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0'],
        chal: { meta: { format: 'b64', type: 'syncml:auth-md5', nextNonce: 'ZmVkY2Jh' } },
        data: '212',
        items: [],
      },
      { kind: 'Status', cmdID: '2', msgRef: '1', cmdRef: '1', cmd: 'Alert', data: '200', items: [] },
      {
        kind: 'Status',
        cmdID: '3',
        msgRef: '1',
        cmdRef: '3',
        cmd: 'Replace',
        sourceRef: ['./DevInfo/DevId', './DevInfo/Man'],
        data: '200',
        items: [],
      },
      {
        kind: 'Get',
        cmdID: '4',
        items: [{ target: { locURI: `${DMCLIENT}/Push/ChannelURI` } }, { target: { locURI: `${DMCLIENT}/Push/Status` } }],
      },
      {
        kind: 'Replace',
        cmdID: '5',
        items: [
          {
            target: { locURI: `${DMCLIENT}/Push/PFN` },
            meta: { format: 'chr', type: 'text/plain' },
            data: { kind: 'text', text: 'Contoso.App_8wekyb3d8bbwe' },
          },
        ],
      },
      {
        kind: 'Atomic',
        cmdID: '6',
        commands: [
          {
            kind: 'Add',
            cmdID: '7',
            meta: { format: 'node' },
            items: [{ target: { locURI: './Vendor/MSFT/Policy/Config/Update' } }],
          },
          {
            kind: 'Sequence',
            cmdID: '8',
            noResp: true,
            commands: [
              {
                kind: 'Exec',
                cmdID: '9',
                correlator: 'corr-1',
                items: [
                  {
                    target: { locURI: './Vendor/MSFT/RemoteWipe/doWipe' },
                    meta: { format: 'chr' },
                    data: { kind: 'text', text: '' },
                  },
                ],
              },
              { kind: 'Delete', cmdID: '10', items: [{ target: { locURI: './Vendor/MSFT/Obsolete' } }] },
            ],
          },
        ],
      },
      {
        kind: 'Add',
        cmdID: '11',
        items: [
          {
            target: { locURI: './Vendor/MSFT/Provisioning' },
            meta: { format: 'xml', type: 'text/plain' },
            data: {
              kind: 'xml',
              xml: '<wap-provisioningdoc version="1.1"><characteristic type="APPLICATION"><parm name="APPID" value="w7"/></characteristic></wap-provisioningdoc>',
            },
          },
        ],
      },
      { kind: 'Copy', cmdID: '12', items: [{ target: { locURI: './a' }, source: { locURI: './b' } }] },
    ],
    final: true,
  },
};

/** Everything else the model can hold: Results (with Cmd), NoResp, MoreData, EMI, Mark/Size/Version, unknown commands,
 * msft:originalerror, CR and "]]>" in text. */
export const oddities: SyncML = {
  header: {
    verDTD: '1.2',
    verProto: 'DM/1.2',
    sessionID: '7',
    msgID: '3',
    target: { locURI: 'https://mdm.example.com/x', locName: 'server' },
    source: { locURI: 'IMEI:493005100592800' },
    noResp: true,
  },
  body: {
    commands: [
      {
        kind: 'Results',
        cmdID: '4',
        msgRef: '2',
        cmdRef: '4',
        cmd: 'Get',
        meta: { format: 'chr', type: 'text/plain', size: 120, mark: 'high', version: '1.0', emi: ['vendor-a', ' vendor b '] },
        targetRef: ['./x'],
        sourceRef: ['./y'],
        items: [
          {
            source: { locURI: `${DMCLIENT}/Push/ChannelURI` },
            data: { kind: 'text', text: 'https://db5.notify.windows.com/?token=AwYAAAB%2bQ%3d%3d' },
            moreData: true,
          },
        ],
      },
      { kind: 'Unknown', name: 'Map', cmdID: '5' },
      { kind: 'Unknown', name: 'VendorCommand' },
      { kind: 'Unknown', name: 'Put', cmdID: '6' },
      {
        kind: 'Alert',
        cmdID: '7',
        noResp: true,
        cred: { data: 'c2VjcmV0' },
        correlator: 'abc',
        data: '1226',
        items: [
          {
            source: { locURI: './DevDetail/Ext/Microsoft/LocalTime' },
            meta: { type: 'com.microsoft:mdm.unenrollment.userrequest', format: 'int' },
            data: { kind: 'text', text: '1' },
          },
        ],
      },
      {
        kind: 'Status',
        cmdID: '8',
        cmdRef: '3',
        cmd: 'Get',
        cred: { meta: { type: 'syncml:auth-basic' }, data: 'dXNlcjpwdw==' },
        data: '404',
        originalError: '0x86000002',
        items: [{ target: { locURI: './missing' }, data: { kind: 'text', text: 'not\r\nfound ]]> &amp;' }, originalError: '0x80070002' }],
      },
    ],
    final: false,
  },
};

export const dm11: SyncML = {
  header: {
    verDTD: '1.1',
    verProto: 'DM/1.1',
    sessionID: '2',
    msgID: '1',
    target: { locURI: 'https://mdm.example.com/' },
    source: { locURI: 'IMEI:1' },
  },
  body: { commands: [{ kind: 'Alert', cmdID: '1', data: '1201', items: [] }], final: true },
};

export const sampleMessages: Record<string, SyncML> = { deviceCheckIn, serverReply, oddities, dm11 };
