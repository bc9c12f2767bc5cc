/**
 * The operator conveniences against a running in-process gateway over HTTP: provision push, see a device, queue a
 * command, wake the device, read the result and the raw SyncML — readable output and --json.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteBackend, type TestDatabase } from '../support/databases.js';
import { PFN, startTestGateway, type TestGateway } from '../http/gateway-harness.js';
import { cli } from './cli-io.js';

describe('operator commands', () => {
  let db: TestDatabase;
  let t: TestGateway;
  let env: Record<string, string>;
  const dev = 'cli-dev-1';
  let commandId: string;

  beforeAll(async () => {
    db = await sqliteBackend.create();
    t = await startTestGateway(db);
    env = { OMADM_URL: t.url, OMADM_TOKEN: t.gateway.operatorToken.token };
  });
  afterAll(async () => {
    await t?.close();
    await db?.dispose();
  });

  it('providers put (secret from WNS_CLIENT_SECRET) and providers get, never showing the secret', async () => {
    const put = await cli(['providers', 'put', 'omadm-gateway', '--pfn', PFN, '--client-id', t.fake.defaultClient.clientId], {
      ...env,
      WNS_CLIENT_SECRET: t.fake.defaultClient.clientSecret,
    });
    expect(put.code, put.stderr).toBe(0);
    expect(put.stdout).toMatch(/^provider:\s+omadm-gateway$/m);
    expect(put.stdout).toMatch(/secret set \(not shown\)/);
    const get = await cli(['providers', 'get', 'omadm-gateway', '--json'], env);
    expect(JSON.parse(get.stdout)).toMatchObject({ providerId: 'omadm-gateway', pfn: PFN, wns: { clientSecretSet: true } });
    expect(put.stdout + get.stdout).not.toContain(t.fake.defaultClient.clientSecret);
  });

  it('devices and device show a checked-in device', async () => {
    await t.checkIn({ deviceId: dev, sessionId: '3' });
    const list = await cli(['devices'], env);
    expect(list.code).toBe(0);
    const [header, row] = list.stdout.trim().split('\n');
    expect(header).toMatch(/^DEVICE\s+PROVIDER\s+LAST SEEN\s+PUSH\s+PENDING\s+MODEL$/);
    expect(row).toMatch(new RegExp(`^${dev}\\s+omadm-gateway\\s+\\S+Z\\s+active\\s+0\\s+Surface$`));
    const one = await cli(['device', dev], env);
    expect(one.stdout).toMatch(/^push:\s+active \(can be woken\)$/m);
    expect(one.stdout).toMatch(/^PFN provisioned:\s+yes/m);
    expect(one.stdout).toMatch(/^Push\/Status:\s+0 Success$/m);
    const json = await cli(['device', dev, '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({ deviceId: dev, push: { state: 'active' } });
    const filtered = await cli(['devices', '--push-state', 'none', '--json'], env);
    expect(JSON.parse(filtered.stdout)).toEqual({ items: [], nextCursor: null });
  });

  it('queue, wake, and command show the result once the woken device answered', async () => {
    const queued = await cli(['queue', dev, '--verb', 'Get', '--target', './DevInfo/Mod'], env);
    expect(queued.code, queued.stderr).toBe(0);
    commandId = /^queued (\S+)$/m.exec(queued.stdout)?.[1] ?? '';
    expect(commandId).toMatch(/^[0-9a-f-]{36}$/);
    const waiting = await cli(['command', dev, commandId], env);
    expect(waiting.stdout).toMatch(/^state:\s+queued$/m);

    const wake = await cli(['wake', dev, '--ttl', '300'], env);
    expect(wake.code, wake.stderr).toBe(0);
    expect(wake.stdout).toMatch(/^wake \S+ accepted \(pending\)$/m);
    const again = await cli(['wake', dev], env);
    expect(again.stdout).toMatch(/already outstanding/);
    await t.gateway.dispatcher.drain();
    const pushes = await cli(['pushes', dev], env);
    expect(pushes.stdout).toMatch(/\ssent\s.*\s200$/m);

    await t.checkIn({ deviceId: dev, sessionId: '4', trigger: '1200', values: { './DevInfo/Mod': 'Surface Laptop' } });
    const done = await cli(['command', dev, commandId], env);
    expect(done.stdout).toMatch(/^state:\s+done$/m);
    expect(done.stdout).toMatch(/^status:\s+200 /m);
    expect(done.stdout).toMatch(/^ {2}\.\/DevInfo\/Mod = Surface Laptop$/m);
    const list = await cli(['commands', dev], env);
    expect(list.stdout).toMatch(new RegExp(`^${commandId}\\s+done\\s+200\\s+Get\\s+\\./DevInfo/Mod`, 'm'));
  });

  it('sessions and messages show the raw SyncML', async () => {
    const sessions = await cli(['sessions', dev], env);
    expect(sessions.stdout).toMatch(/^4\s+1200\s/m);
    expect(sessions.stdout).toMatch(/^3\s+1201\s/m);
    const messages = await cli(['messages', dev, '4'], env);
    expect(messages.stdout).toMatch(/^── device → server {2}MsgID 1 /m);
    expect(messages.stdout).toContain('<SyncML');
    expect(messages.stdout).toContain('Surface Laptop');
  });

  it('queue --command takes a whole Atomic; cancel takes it back', async () => {
    const atomic = JSON.stringify({ verb: 'Atomic', commands: [{ verb: 'Replace', target: './Vendor/MSFT/A', data: '1', format: 'int' }] });
    const queued = await cli(['queue', dev, '--command', atomic, '--json'], env);
    const { id } = JSON.parse(queued.stdout) as { id: string };
    const cancelled = await cli(['cancel', dev, id], env);
    expect(cancelled.stdout).toBe(`cancelled ${id}\n`);
  });

  it('reports API errors readably with exit code 1', async () => {
    const unknown = await cli(['device', 'no-such-device'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('error: 404 No such device: no device no-such-device\n');
    const bad = await cli(['queue', dev, '--verb', 'Get', '--target', './a//b'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: 400 A target is not a valid LocURI/);
    expect(bad.stderr).toMatch(/^ {2}\/target: LocURI has an empty node name/m);
    const noChannel = await cli(['wake', 'cli-dev-none'], env);
    expect(noChannel.code).toBe(1);
    const wrongToken = await cli(['devices'], { ...env, OMADM_TOKEN: 'wrong-token-0123456789' });
    expect(wrongToken.stderr).toBe('error: 401 Authentication required\n');
  });

  it('usage problems exit 2: no token, missing --verb, bad --command JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-empty-'));
    const noToken = await cli(['devices'], { OMADM_URL: t.url }, dir);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/^no operator token/);
    expect((await cli(['queue', dev], env)).code).toBe(2);
    expect((await cli(['queue', dev, '--command', '{nope'], env)).code).toBe(2);
  });

  it('finds the token in DATA_DIR/operator-token and the gateway at --url', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-token-'));
    writeFileSync(join(dir, 'operator-token'), `${t.gateway.operatorToken.token}\n`, { mode: 0o600 });
    const r = await cli(['devices', '--url', t.url, '--json'], { DATA_DIR: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).items.length).toBeGreaterThan(0);
  });

  it('says clearly when the gateway cannot be reached', async () => {
    const r = await cli(['devices', '--url', 'http://127.0.0.1:9', '--token', 'x'.repeat(20)], {});
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^cannot reach the gateway at http:\/\/127\.0\.0\.1:9/);
  });
});
