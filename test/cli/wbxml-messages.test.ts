/**
 * `omadm-gateway messages` for a WBXML session: the readable XML rendering the API gives beside the bytes, and the
 * bytes themselves with --json.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_TYPE_WBXML } from '../../src/syncml/model.js';
import { encodeWbxml } from '../../src/syncml/wbxml/index.js';
import { sqliteBackend, type TestDatabase } from '../support/databases.js';
import { package1 } from '../support/syncml-builders.js';
import { startTestGateway, type TestGateway } from '../http/gateway-harness.js';
import { cli } from './cli-io.js';

describe('messages of a WBXML session', () => {
  let db: TestDatabase;
  let t: TestGateway;

  beforeAll(async () => {
    db = await sqliteBackend.create();
    t = await startTestGateway(db);
  });
  afterAll(async () => {
    await t?.close();
    await db?.dispose();
  });

  it('shows each WBXML message as XML, and --json keeps base64 of the exchanged bytes', async () => {
    const request = encodeWbxml(package1({ deviceId: 'cli-wbxml-1', sessionID: '6' }));
    const r = await t.syncml(request, CONTENT_TYPE_WBXML);
    expect(r.status).toBe(200);
    const env = { OMADM_URL: t.url, OMADM_TOKEN: t.gateway.operatorToken.token };
    const text = await cli(['messages', 'cli-wbxml-1', '6'], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^── device → server {2}MsgID 1 .* application\/vnd\.syncml\.dm\+wbxml$/m);
    expect(text.stdout).toMatch(new RegExp(`^\\(${request.byteLength} bytes of WBXML, shown as XML; --json has the bytes\\)$`, 'm'));
    expect(text.stdout).toMatch(/^<SyncML xmlns="SYNCML:SYNCML1\.2"><SyncHdr>.*<LocURI>cli-wbxml-1<\/LocURI>/m);
    const json = await cli(['messages', 'cli-wbxml-1', '6', '--json'], env);
    const page = JSON.parse(json.stdout) as { items: Array<{ request: { body: string } }> };
    expect(Buffer.from(page.items[0]!.request.body, 'base64')).toEqual(Buffer.from(request));
  });
});
