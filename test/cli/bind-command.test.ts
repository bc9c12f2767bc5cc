/**
 * `bind DEVICE PROVIDER` and the provider line of `device`, against a running in-process gateway over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteBackend, type TestDatabase } from '../support/databases.js';
import { startTestGateway, type TestGateway } from '../http/gateway-harness.js';
import { cli } from './cli-io.js';

describe('bind command', () => {
  let db: TestDatabase;
  let t: TestGateway;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await sqliteBackend.create();
    t = await startTestGateway(db);
    env = { OMADM_URL: t.url, OMADM_TOKEN: t.gateway.operatorToken.token };
    await t.putProvider();
    await t.putProvider('fabrikam');
  });
  afterAll(async () => {
    await t?.close();
    await db?.dispose();
  });

  it('binds a device that has not checked in yet; device shows it with its provider', async () => {
    const bound = await cli(['bind', 'cli-pre-1', 'fabrikam'], env);
    expect(bound.code, bound.stderr).toBe(0);
    expect(bound.stdout).toBe(
      'device cli-pre-1 bound to provider fabrikam; its first session gets the PFN under ./Vendor/MSFT/DMClient/Provider/fabrikam/Push/PFN\n',
    );
    const shown = await cli(['device', 'cli-pre-1'], env);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^provider:\s+fabrikam \(bound \S+Z\)$/m);
    expect(shown.stdout).toMatch(/^checked in:\s+not yet/m);
    const json = await cli(['device', 'cli-pre-1', '--json'], env);
    expect(json.code).toBe(1);
    expect(json.stderr).toBe('error: 404 No such device: no device cli-pre-1\n');
  });

  it('moves a checked-in device and says what happens next; the same provider again is a no-op', async () => {
    await t.checkIn({ deviceId: 'cli-dev-1', sessionId: '1' });
    expect((await cli(['device', 'cli-dev-1'], env)).stdout).toMatch(/^provider:\s+omadm-gateway \(default\)$/m);
    const moved = await cli(['bind', 'cli-dev-1', 'fabrikam'], env);
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stdout).toMatch(/^device cli-dev-1 moved from provider omadm-gateway to fabrikam; its next session sets the PFN under \.\/Vendor\/MSFT\/DMClient\/Provider\/fabrikam\/Push\/PFN$/m);
    const shown = await cli(['device', 'cli-dev-1'], env);
    expect(shown.stdout).toMatch(/^provider:\s+fabrikam \(bound \S+Z\)$/m);
    expect(shown.stdout).toMatch(/^PFN provisioned:\s+no /m);
    const again = await cli(['bind', 'cli-dev-1', 'fabrikam', '--json'], env);
    expect(JSON.parse(again.stdout)).toMatchObject({ deviceId: 'cli-dev-1', providerId: 'fabrikam', moved: false, previousProviderId: 'fabrikam' });
  });

  it('reports an unknown provider readably with exit code 1', async () => {
    const r = await cli(['bind', 'cli-dev-1', 'nobody'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: 404 No such provider: no provider nobody: create it with PUT /api/v1/providers/nobody first\n');
  });
});
