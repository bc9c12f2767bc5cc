/**
 * A WNS problem that belongs to a provider (its credentials or its token endpoint), not to one wake.
 * The token source throws it; the dispatcher records `message` on the provider for the operator and backs off
 * until `retryAt` instead of crash-looping.
 */
export type ProviderProblemKind =
  /** The provider has no usable WNS credentials (no client id / secret, Entra without tenant, bad token URL). */
  | 'not-configured'
  /** The token endpoint refused the credentials (400/401: "The authentication failed."). */
  | 'token-rejected'
  /** The token endpoint answered with another error status (5xx, 429, …). */
  | 'token-endpoint-error'
  /** The token endpoint could not be reached or timed out. */
  | 'token-endpoint-unreachable'
  /** 200 but not a usable token document. */
  | 'token-response-invalid';

export class ProviderProblem extends Error {
  constructor(
    readonly providerId: string,
    readonly kind: ProviderProblemKind,
    message: string,
    /** No new token request for this provider before this time. */
    readonly retryAt: Date,
    readonly httpStatus: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProviderProblem';
  }
}
