import { BlockList, isIP } from 'node:net';
import type { GatewayConfig } from './gateway-config.js';

/**
 * What each DEVICE_AUTH mode needs besides its name (issue 7, SECURITY.md): mtls serves HTTPS itself and must know the
 * device CA; proxy-header must know which peers may vouch for a device; settings of one mode given to another are
 * refused rather than silently ignored when they would weaken nothing but mislead the operator. Pure.
 */
export function deviceAuthProblems(config: GatewayConfig): string[] {
  const problems: string[] = [];
  if ((config.tlsCert === undefined) !== (config.tlsKey === undefined)) problems.push('TLS_CERT and TLS_KEY go together');
  if (config.deviceAuth === 'mtls') {
    if (config.tlsCert === undefined || config.tlsKey === undefined) problems.push('DEVICE_AUTH=mtls needs TLS_CERT and TLS_KEY (the gateway serves HTTPS itself)');
    if (config.tlsClientCa === undefined) problems.push('DEVICE_AUTH=mtls needs TLS_CLIENT_CA (the CA device certificates must chain to)');
  }
  if (config.deviceAuth === 'proxy-header') {
    if ((config.trustedProxies ?? []).length === 0) problems.push('DEVICE_AUTH=proxy-header needs TRUSTED_PROXIES (addresses or CIDRs of the TLS-terminating proxies)');
  }
  for (const entry of config.trustedProxies ?? []) if (!validProxyEntry(entry)) problems.push(`TRUSTED_PROXIES entry "${entry}" is not an IP address or CIDR`);
  if (config.deviceAuthBasic === true && config.deviceAuth !== 'md5') problems.push('DEVICE_AUTH_BASIC=1 only applies to DEVICE_AUTH=md5');
  return problems;
}

function validProxyEntry(entry: string): boolean {
  const [address, bits, ...rest] = entry.split('/');
  if (address === undefined || rest.length > 0) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > (family === 4 ? 32 : 128)) return false;
  try {
    new BlockList().addSubnet(address, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
    return true;
  } catch {
    return false;
  }
}
