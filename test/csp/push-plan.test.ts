import { describe, expect, it } from 'vitest';
import { initialPushPlan, interpretPushAnswer, pushPlanCommand, type PushPlanItem } from '../../src/csp/push-plan.js';

const pfnItem = (verb: 'Replace' | 'Add', attempt: number): PushPlanItem => ({ purpose: 'pfn', verb, pfn: 'Contoso.MDM_8wekyb3d8bbwe', attempt });

describe('initialPushPlan', () => {
  it('replaces the PFN when the device does not hold the current one, then reads ChannelURI and Status', () => {
    const plan = initialPushPlan({ providerId: 'p', providerPfn: 'PFN-2', provisionedPfn: 'PFN-1' });
    expect(plan).toEqual([
      { purpose: 'pfn', verb: 'Replace', pfn: 'PFN-2', attempt: 1 },
      { purpose: 'channelUri' },
      { purpose: 'pushStatus' },
    ]);
  });

  it('does not resend a PFN the device already holds', () => {
    expect(initialPushPlan({ providerId: 'p', providerPfn: 'PFN', provisionedPfn: 'PFN' })).toEqual([
      { purpose: 'channelUri' },
      { purpose: 'pushStatus', repairPfn: 'PFN' },
    ]);
  });

  it('sends no PFN when the provider has none, but still reads the channel', () => {
    expect(initialPushPlan({ providerId: 'p', providerPfn: null, provisionedPfn: null }).map((i) => i.purpose)).toEqual(['channelUri', 'pushStatus']);
  });
});

describe('pushPlanCommand', () => {
  it('addresses the DMClient Push nodes under the URI-encoded ProviderID', () => {
    expect(pushPlanCommand(pfnItem('Replace', 1), 'Contoso MDM/1')).toEqual({
      verb: 'Replace',
      target: './Vendor/MSFT/DMClient/Provider/Contoso%20MDM%2F1/Push/PFN',
      data: 'Contoso.MDM_8wekyb3d8bbwe',
      format: 'chr',
    });
    expect(pushPlanCommand({ purpose: 'channelUri' }, 'omadm-gateway')).toEqual({
      verb: 'Get',
      target: './Vendor/MSFT/DMClient/Provider/omadm-gateway/Push/ChannelURI',
    });
    expect(pushPlanCommand({ purpose: 'pushStatus' }, 'omadm-gateway').target).toBe('./Vendor/MSFT/DMClient/Provider/omadm-gateway/Push/Status');
  });
});

describe('interpretPushAnswer: PFN', () => {
  it('200 on Replace means provisioned', () => {
    expect(interpretPushAnswer(pfnItem('Replace', 1), { status: '200', results: null })).toEqual({
      observations: [{ kind: 'pfnProvisioned', pfn: 'Contoso.MDM_8wekyb3d8bbwe' }],
      followUp: null,
    });
  });

  it('404 on Replace falls back to Add', () => {
    expect(interpretPushAnswer(pfnItem('Replace', 1), { status: '404', results: null })).toEqual({
      observations: [],
      followUp: pfnItem('Add', 2),
    });
  });

  it('418 on Add replaces again (the node exists, its value is unknown)', () => {
    expect(interpretPushAnswer(pfnItem('Add', 2), { status: '418', results: null }).followUp).toEqual(pfnItem('Replace', 3));
  });

  it('gives up after the third attempt', () => {
    expect(interpretPushAnswer(pfnItem('Replace', 3), { status: '404', results: null })).toEqual({
      observations: [{ kind: 'pfnRejected', pfn: 'Contoso.MDM_8wekyb3d8bbwe', status: '404' }],
      followUp: null,
    });
  });

  it('any other failure is a rejection', () => {
    expect(interpretPushAnswer(pfnItem('Replace', 1), { status: '405', results: null }).observations).toEqual([
      { kind: 'pfnRejected', pfn: 'Contoso.MDM_8wekyb3d8bbwe', status: '405' },
    ]);
  });
});

describe('interpretPushAnswer: ChannelURI and Status', () => {
  const channel = (status: string, results: Array<string | undefined> | null) =>
    interpretPushAnswer({ purpose: 'channelUri' }, { status, results }).observations;

  it('reports the ChannelURI, trimmed', () => {
    expect(channel('200', [' https://db5.notify.windows.com/?token=AwY '])).toEqual([
      { kind: 'channelReported', channelUri: 'https://db5.notify.windows.com/?token=AwY' },
    ]);
  });

  it('reports null for 404, 204 and an empty value', () => {
    expect(channel('404', null)).toEqual([{ kind: 'channelReported', channelUri: null }]);
    expect(channel('204', null)).toEqual([{ kind: 'channelReported', channelUri: null }]);
    expect(channel('200', [''])).toEqual([{ kind: 'channelReported', channelUri: null }]);
    expect(channel('200', [undefined])).toEqual([{ kind: 'channelReported', channelUri: null }]);
  });

  it('concludes nothing from a failure or from missing Results', () => {
    expect(channel('500', null)[0]?.kind).toBe('inconclusive');
    expect(channel('200', null)[0]?.kind).toBe('inconclusive');
  });

  it('reads Push/Status as an integer', () => {
    for (const value of [0, 1, 2, 3, 4, 5, 6, 7, 8]) {
      expect(interpretPushAnswer({ purpose: 'pushStatus' }, { status: '200', results: [` ${value}`] }).observations).toEqual([
        { kind: 'statusReported', pushStatus: value },
      ]);
    }
    expect(interpretPushAnswer({ purpose: 'pushStatus' }, { status: '200', results: ['zero'] }).observations[0]?.kind).toBe('inconclusive');
  });
});

describe('PFN repair after a broken registration', () => {
  const item: PushPlanItem = { purpose: 'pushStatus', repairPfn: 'PFN' };
  it.each([1, 3, 4, 5])('sets the PFN again in the same session when Push/Status is %i', (value) => {
    const answer = interpretPushAnswer(item, { status: '200', results: [String(value)] });
    expect(answer.observations).toEqual([{ kind: 'statusReported', pushStatus: value }]);
    expect(answer.followUp).toEqual({ purpose: 'pfn', verb: 'Replace', pfn: 'PFN', attempt: 1 });
  });
  it.each([0, 2, 6, 7, 8])('leaves the PFN alone when Push/Status is %i', (value) => {
    expect(interpretPushAnswer(item, { status: '200', results: [String(value)] }).followUp).toBeNull();
  });
  it('does not repeat a PFN this session already sent', () => {
    const plan = initialPushPlan({ providerId: 'p', providerPfn: 'PFN-2', provisionedPfn: 'PFN-1' });
    const status = plan.find((i) => i.purpose === 'pushStatus');
    expect(status).toEqual({ purpose: 'pushStatus' });
    expect(interpretPushAnswer(status!, { status: '200', results: ['5'] }).followUp).toBeNull();
  });
});

