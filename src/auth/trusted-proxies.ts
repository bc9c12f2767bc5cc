/**
 * TRUSTED_PROXIES: which peer addresses may vouch for a device (proxy-header mode) and whose X-Forwarded-For is read
 * for the per-address rate limit. Only the TCP peer address is ever checked, never a header. IPv4-mapped IPv6 peers
 * (::ffff:10.0.0.1, what a dual-stack socket reports) are matched as IPv4.
 */
import { BlockList, isIP } from 'node:net';

export interface TrustedProxies {
  trusts(address: string | undefined): boolean;
  readonly empty: boolean;
}

export function createTrustedProxies(entries: readonly string[]): TrustedProxies {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', bits] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return {
    empty: entries.length === 0,
    trusts(address) {
      if (address === undefined || entries.length === 0) return false;
      const plain = unmapped(address);
      const family = isIP(plain);
      if (family === 0) return false;
      return list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
    },
  };
}

/** ::ffff:a.b.c.d → a.b.c.d; anything else unchanged. */
export function unmapped(address: string): string {
  const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return m ? m[1]! : address;
}

/**
 * The client's address for rate limiting: the peer, or — when the peer is a trusted proxy — the nearest address in
 * X-Forwarded-For that is not itself a trusted proxy (walking from the right, the only part a proxy vouches for).
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, proxies: TrustedProxies): string {
  const direct = unmapped(peer ?? 'unknown');
  if (!proxies.trusts(peer) || forwardedFor === undefined) return direct;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',').map((h) => h.trim()).filter((h) => h !== '');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = unmapped(hops[i]!);
    if (isIP(hop) === 0) return direct;
    if (!proxies.trusts(hop)) return hop;
  }
  return direct;
}
