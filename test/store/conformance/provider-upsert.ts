import { expect, it } from 'vitest';
import type { StoreContext } from '../conformance.js';
import { at, MINUTE } from '../fixtures.js';

/** upsertProvider: putProvider that says whether it created the provider, in one transaction. */
export function providerUpsertCases(ctx: StoreContext): void {
  it('creates, then updates, returning the stored provider with the secret masked', async () => {
    const first = await ctx.store.upsertProvider('contoso', { pfn: 'Contoso.PFN_1', wns: { clientId: 'ms-app://c', clientSecret: 's3cr3t' } });
    expect(first).toEqual({ created: true, provider: await ctx.store.getProvider('contoso') });
    expect(first.provider).toMatchObject({ pfn: 'Contoso.PFN_1', wns: { clientSecretSet: true }, createdAt: at(), updatedAt: at() });
    ctx.setNow(at(MINUTE).getTime());
    const second = await ctx.store.upsertProvider('contoso', { pfn: 'Contoso.PFN_2', wns: { clientId: 'ms-app://c' } });
    expect(second.created).toBe(false);
    expect(second.provider).toMatchObject({ pfn: 'Contoso.PFN_2', wns: { clientSecretSet: true }, createdAt: at(), updatedAt: at(MINUTE) });
    expect(JSON.stringify(second)).not.toContain('s3cr3t');
    expect((await ctx.store.getProviderCredentials('contoso'))?.clientSecret).toBe('s3cr3t');
  });
}
