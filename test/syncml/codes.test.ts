import { describe, expect, it } from 'vitest';
import { AlertCode, StatusCode, isSuccessStatus, statusMeaning, alertMeaning } from '../../src/syncml/codes.js';

describe('code tables', () => {
  it('has a meaning for every status and alert code', () => {
    for (const code of Object.values(StatusCode)) expect(statusMeaning[code]).toBeTruthy();
    for (const code of Object.values(AlertCode)) expect(alertMeaning[code]).toBeTruthy();
  });
  it('classifies 2xx as success', () => {
    expect(isSuccessStatus('200')).toBe(true);
    expect(isSuccessStatus('216')).toBe(true);
    expect(isSuccessStatus('404')).toBe(false);
    expect(isSuccessStatus('2')).toBe(false);
  });
});
