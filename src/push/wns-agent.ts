/**
 * The dedicated undici dispatcher for WNS traffic (token endpoint and ChannelURIs): keep-alive, a bounded number of
 * connections per origin, connect/headers/body timeouts, pipelining off (POST is not idempotent; WNS does not
 * support pipelining, PROTOCOL.md e.3), optionally through an HTTPS proxy. Built once by the composition root and
 * injected; never installed as undici's global dispatcher.
 */
import { Agent, ProxyAgent, type Dispatcher } from 'undici';

export interface WnsAgentOptions {
  connectionsPerOrigin?: number;
  connectTimeoutMs?: number;
  /** Time to the response headers. */
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  /** HTTPS_PROXY, when set. */
  proxyUrl?: string | null;
  /** Extra CA certificates to trust (tests: the fake WNS's self-signed certificate). */
  ca?: string | string[];
}

export function createWnsAgent(options: WnsAgentOptions = {}): Dispatcher {
  const common = {
    connections: options.connectionsPerOrigin ?? 16,
    pipelining: 1,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
    headersTimeout: options.headersTimeoutMs ?? 15_000,
    bodyTimeout: options.bodyTimeoutMs ?? 15_000,
  };
  const tls = { timeout: options.connectTimeoutMs ?? 10_000, ...(options.ca ? { ca: options.ca } : {}) };
  if (options.proxyUrl) {
    return new ProxyAgent({ uri: options.proxyUrl, ...common, connect: tls, requestTls: tls });
  }
  return new Agent({ ...common, connect: tls });
}

/** HTTPS_PROXY (or https_proxy) from the environment, for the composition root; null when unset or empty. */
export function proxyUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | null {
  const value = env['HTTPS_PROXY'] ?? env['https_proxy'];
  return value !== undefined && value.trim() !== '' ? value.trim() : null;
}
