/**
 * What push reports for metrics. The HTTP layer implements it with prom-client; the default does nothing.
 */
export interface PushMetrics {
  /** A wake request: a new wake, folded into an outstanding one, or refused (no usable channel). */
  wakeRequested(result: 'created' | 'coalesced' | 'no-channel'): void;
  /** One HTTP request to a ChannelURI, by outcome (WakeOutcome or a dispatcher outcome such as 'channel-rejected'). */
  pushAttempt(outcome: string, httpStatus: number | null, durationMs: number): void;
  /** A wake left the dispatcher's hands: 'sent' (WNS accepted), 'failed', 'expired', or 'retry' (back to pending). */
  wakeSettled(result: 'sent' | 'failed' | 'expired' | 'retry', outcome: string): void;
  /** Wakes the sweeper expired. */
  wakesExpired(count: number): void;
  /**
   * A wake whose Alert 1200 session was committed before its send was recorded: its push-to-session latency, known
   * only once the send is written (the usual case, session after send, is observed where the session is committed).
   */
  wakeProvenAtSend(latencyMs: number): void;
  /** A token request to the provider's token endpoint. */
  tokenRequest(providerId: string, ok: boolean): void;
}

export const noopPushMetrics: PushMetrics = {
  wakeRequested: () => undefined,
  pushAttempt: () => undefined,
  wakeSettled: () => undefined,
  wakesExpired: () => undefined,
  wakeProvenAtSend: () => undefined,
  tokenRequest: () => undefined,
};
