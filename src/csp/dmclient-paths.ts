/**
 * DMClient CSP node paths (PROTOCOL.md d, d.1, d.2).
 *
 * The unprefixed `./Vendor/MSFT/…` form addresses the device scope ("no prefix = device", OMA-SUP); Push and Poll
 * exist in the device scope only [DMC]. `{ProviderID}` is a node name, the "URI-encoded value of the bootstrapped
 * device management account's Provider ID" [DMC]; non-alphanumerics in a LocURI must be URL-escaped (OMA-SUP, a.4).
 */
export const DMCLIENT_ROOT = './Vendor/MSFT/DMClient';

export function providerPath(providerId: string): string {
  return `${DMCLIENT_ROOT}/Provider/${encodeURIComponent(providerId)}`;
}

export interface PushPaths {
  pfn: string;
  channelUri: string;
  status: string;
}

/** `…/Push/PFN` (chr, Add/Delete/Get/Replace), `…/Push/ChannelURI` (chr, Get), `…/Push/Status` (int, Get) — d.1. */
export function pushPaths(providerId: string): PushPaths {
  const push = `${providerPath(providerId)}/Push`;
  return { pfn: `${push}/PFN`, channelUri: `${push}/ChannelURI`, status: `${push}/Status` };
}

/** Children of `…/Poll` (d.2), in the order the DMClient CSP lists them. */
export const POLL_NODES = [
  'IntervalForFirstSetOfRetries',
  'NumberOfFirstRetries',
  'IntervalForSecondSetOfRetries',
  'NumberOfSecondRetries',
  'IntervalForRemainingScheduledRetries',
  'NumberOfRemainingScheduledRetries',
  'PollOnLogin',
  'AllUsersPollOnFirstLogin',
] as const;
export type PollNode = (typeof POLL_NODES)[number];

/** `…/Poll`, the interior node (Add, Get [DMC]; MS-MDE2 §2.2.9.3: "Add and Get"). */
export function pollRoot(providerId: string): string {
  return `${providerPath(providerId)}/Poll`;
}

export function pollPath(providerId: string, node: PollNode): string {
  return `${pollRoot(providerId)}/${node}`;
}
