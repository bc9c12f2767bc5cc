import { describe, expect, it } from 'vitest';
import { isPushStatusSuccess, pushStatusMeaning } from '../../src/csp/push-status-meaning.js';

describe('pushStatusMeaning (PROTOCOL.md d.1)', () => {
  it('gives the DMClient CSP text for each documented value', () => {
    expect(pushStatusMeaning(0)).toBe('Success');
    expect(pushStatusMeaning(1)).toBe('Failure: invalid PFN');
    expect(pushStatusMeaning(4)).toBe('Failure: no Channel URI assigned');
    expect(pushStatusMeaning(5)).toBe('Failure: Channel URI has expired');
    expect(pushStatusMeaning(7)).toMatch(/power or connectivity/);
  });

  it('names both readings of the conflicting value 8', () => {
    expect(pushStatusMeaning(8)).toMatch(/Unknown error/);
    expect(pushStatusMeaning(8)).toMatch(/Push Not Available On the SKU/);
  });

  it('says when a value is not documented', () => {
    expect(pushStatusMeaning(42)).toMatch(/not documented/);
  });

  it('only 0 is success', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].filter(isPushStatusSuccess)).toEqual([0]);
  });
});
