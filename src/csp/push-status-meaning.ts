/**
 * Meanings of DMClient `…/Push/Status` (PROTOCOL.md d.1). Texts are the DMClient CSP's [DMC]; value 8 is
 * "Unknown error" in the DMClient CSP but "Push Not Available On the SKU" in MS-MDE2 §2.2.9.3 — a documented
 * CONFLICT, so both readings are given.
 */
export const PUSH_STATUS_MEANINGS: Readonly<Record<number, string>> = {
  0: 'Success',
  1: 'Failure: invalid PFN',
  2: 'Failure: invalid or expired device authentication with MSA',
  3: 'Failure: WNS client registration failed due to an invalid or revoked PFN',
  4: 'Failure: no Channel URI assigned',
  5: 'Failure: Channel URI has expired',
  6: 'Failure: Channel URI failed to be revoked',
  7: 'Failure: push notification received, but unable to establish an OMA-DM session due to power or connectivity limitations',
  8: 'Unknown error (DMClient CSP); MS-MDE2 reads this value as "Push Not Available On the SKU" (the sources conflict)',
};

export function pushStatusMeaning(value: number): string {
  return PUSH_STATUS_MEANINGS[value] ?? `Unknown Push/Status value ${value} (not documented)`;
}

/** Only 0 means the device holds a working WNS channel for the PFN. */
export function isPushStatusSuccess(value: number): boolean {
  return value === 0;
}
