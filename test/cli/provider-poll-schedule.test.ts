/**
 * `providers put --poll-schedule` against a running in-process gateway: the schedule is stored and shown, and a schedule
 * that breaks an MS-MDE2 §2.2.9.3 rule is refused with the rule in the error.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sqliteBackend, type TestDatabase } from '../support/databases.js';
import { PFN, startTestGateway, type TestGateway } from '../http/gateway-harness.js';
import { cli } from './cli-io.js';

let db: TestDatabase;
let t: TestGateway;
let env: Record<string, string>;

beforeAll(async () => {
  db = await sqliteBackend.create();
  t = await startTestGateway(db);
  env = { OMADM_URL: t.url, OMADM_TOKEN: t.gateway.operatorToken.token, WNS_CLIENT_SECRET: t.fake.defaultClient.clientSecret };
});
afterAll(async () => {
  await t?.close();
  await db?.dispose();
});

const put = (schedule: string) => cli(['providers', 'put', 'omadm-gateway', '--pfn', PFN, '--client-id', t.fake.defaultClient.clientId, '--poll-schedule', schedule], env);

it('stores and shows the poll schedule; refuses one that breaks MS-MDE2 with the rule named', async () => {
  const ok = await put('{"intervalForFirstSetOfRetries":15,"numberOfFirstRetries":5,"pollOnLogin":true}');
  expect(ok.code, ok.stderr).toBe(0);
  expect(ok.stdout).toMatch(/^poll schedule:\s+intervalForFirstSetOfRetries=15 numberOfFirstRetries=5 pollOnLogin=true$/m);
  const bad = await put('{"numberOfFirstRetries":0}');
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/^error: 400 /);
  expect(bad.stderr).toContain('MS-MDE2 §2.2.9.3: NumberOfFirstRetries MUST NOT be 0');
  const got = await cli(['providers', 'get', 'omadm-gateway'], env);
  expect(got.stdout).toMatch(/^poll schedule:\s+intervalForFirstSetOfRetries=15 numberOfFirstRetries=5 pollOnLogin=true$/m);
  const cleared = await cli(['providers', 'put', 'omadm-gateway', '--pfn', PFN, '--client-id', t.fake.defaultClient.clientId], env);
  expect(cleared.stdout).toMatch(/^poll schedule:\s+none \(devices keep their own\)$/m);
});
