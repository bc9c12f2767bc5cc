import { expect, it } from 'vitest';
import { CorruptRowError } from '../../../src/store/errors.js';
import type { StoreContext } from '../conformance.js';
import { at, MINUTE } from '../fixtures.js';

const SECRET = 'wns-client-secret-Do-Not-Leak-42';

export function providerCases(ctx: StoreContext): void {
  const put = () =>
    ctx.store.putProvider('contoso', {
      pfn: 'Contoso.MDM_8wekyb3d8bbwe',
      wns: { clientId: 'ms-app://s-1-15-2-1', clientSecret: SECRET },
      pollSchedule: { intervalMinutes: 240, retries: [15, 60] },
    });

  it('stores a provider and returns it with the secret masked', async () => {
    const details = await put();
    expect(details).toEqual({
      providerId: 'contoso',
      pfn: 'Contoso.MDM_8wekyb3d8bbwe',
      wns: { auth: 'classic', clientId: 'ms-app://s-1-15-2-1', clientSecretSet: true, tenant: null, tokenUrl: null },
      pollSchedule: { intervalMinutes: 240, retries: [15, 60] },
      problem: null,
      problemAt: null,
      pausedUntil: null,
      createdAt: at(),
      updatedAt: at(),
    });
    expect(await ctx.store.getProvider('contoso')).toEqual(details);
    expect(JSON.stringify(await ctx.store.listProviders())).not.toContain(SECRET);
    expect(await ctx.store.getProvider('nobody')).toBeNull();
  });

  it('hands the decrypted credentials to push only', async () => {
    await put();
    expect(await ctx.store.getProviderCredentials('contoso')).toEqual({
      providerId: 'contoso',
      pfn: 'Contoso.MDM_8wekyb3d8bbwe',
      auth: 'classic',
      clientId: 'ms-app://s-1-15-2-1',
      clientSecret: SECRET,
      tenant: null,
      tokenUrl: null,
    });
    expect(await ctx.store.getProviderCredentials('nobody')).toBeNull();
    await ctx.store.putProvider('pfn-only', { pfn: 'X.Y' });
    expect(await ctx.store.getProviderCredentials('pfn-only')).toBeNull();
  });

  it('encrypts the secret at rest', async () => {
    await put();
    const rows = (await ctx.db.dataSource.query(`SELECT * FROM providers`)) as Record<string, unknown>[];
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(SECRET);
    expect(dump).not.toContain(Buffer.from(SECRET).toString('base64'));
    expect(String(rows[0]?.wns_client_secret_enc)).toMatch(/^v1\./);
  });

  it('cannot open the secret with another key or on another provider row', async () => {
    await put();
    const otherKey = ctx.open({ secretKey: Buffer.alloc(32, 9) });
    await expect(otherKey.getProviderCredentials('contoso')).rejects.toBeInstanceOf(CorruptRowError);
    await ctx.store.putProvider('fabrikam', { pfn: 'F.P', wns: { clientId: 'c', clientSecret: 'other' } });
    await ctx.db.dataSource.query(
      `UPDATE providers SET wns_client_secret_enc = (SELECT p.wns_client_secret_enc FROM providers p WHERE p.provider_id = 'contoso') WHERE provider_id = 'fabrikam'`,
    );
    await expect(ctx.store.getProviderCredentials('fabrikam')).rejects.toBeInstanceOf(CorruptRowError);
  });

  it('keeps the stored secret when an update omits it, and drops WNS settings when they are omitted', async () => {
    await put();
    ctx.setNow(at(MINUTE).getTime());
    const updated = await ctx.store.putProvider('contoso', {
      pfn: 'Contoso.MDM_2',
      wns: { auth: 'entra', clientId: 'app-id', tenant: 'contoso.onmicrosoft.com', tokenUrl: 'http://127.0.0.1:1/token' },
    });
    expect(updated).toMatchObject({ pfn: 'Contoso.MDM_2', pollSchedule: null, createdAt: at(), updatedAt: at(MINUTE) });
    expect(await ctx.store.getProviderCredentials('contoso')).toEqual({
      providerId: 'contoso',
      pfn: 'Contoso.MDM_2',
      auth: 'entra',
      clientId: 'app-id',
      clientSecret: SECRET,
      tenant: 'contoso.onmicrosoft.com',
      tokenUrl: 'http://127.0.0.1:1/token',
    });
    expect((await ctx.store.putProvider('contoso', { pfn: 'Contoso.MDM_2' })).wns).toBeNull();
    expect(await ctx.store.getProviderCredentials('contoso')).toBeNull();
  });

  it('records and clears a provider problem; new settings clear it too', async () => {
    await put();
    expect(await ctx.store.recordProviderProblem('contoso', '403 credentials do not match PFN', { pausedUntil: at(MINUTE), at: at() })).toBe(true);
    expect(await ctx.store.getProvider('contoso')).toMatchObject({ problem: '403 credentials do not match PFN', problemAt: at(), pausedUntil: at(MINUTE) });
    expect(await ctx.store.clearProviderProblem('contoso')).toBe(true);
    expect(await ctx.store.getProvider('contoso')).toMatchObject({ problem: null, problemAt: null, pausedUntil: null });
    await ctx.store.recordProviderProblem('contoso', 'token endpoint said 400');
    expect((await put()).problem).toBeNull();
    expect(await ctx.store.recordProviderProblem('nobody', 'x')).toBe(false);
  });
}
