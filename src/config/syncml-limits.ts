import type { GatewayConfig } from './gateway-config.js';

/** The limits of the SyncML endpoint with their defaults (SECURITY.md "Limits"). */
export interface SyncMLLimits {
  /** Messages per minute per device; 0: off. */
  ratePerDevice: number;
  /** Requests per minute per client address; 0: off. */
  ratePerAddress: number;
  /** Requests handled at once; beyond: 503 + Retry-After. */
  maxConcurrent: number;
  /** Longest a request may take to arrive and be answered. */
  requestTimeoutMs: number;
}

export const SYNCML_LIMIT_DEFAULTS: Readonly<SyncMLLimits> = Object.freeze({
  ratePerDevice: 120,
  ratePerAddress: 600,
  maxConcurrent: 128,
  requestTimeoutMs: 30_000,
});

export function syncmlLimitsOf(config: GatewayConfig): SyncMLLimits {
  return {
    ratePerDevice: config.rateLimitDevice ?? SYNCML_LIMIT_DEFAULTS.ratePerDevice,
    ratePerAddress: config.rateLimitAddress ?? SYNCML_LIMIT_DEFAULTS.ratePerAddress,
    maxConcurrent: config.maxConcurrentSyncml ?? SYNCML_LIMIT_DEFAULTS.maxConcurrent,
    requestTimeoutMs: config.requestTimeoutMs ?? SYNCML_LIMIT_DEFAULTS.requestTimeoutMs,
  };
}
