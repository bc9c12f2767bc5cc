import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';

const load = (env: Record<string, string>) => loadConfig({ env, cwd: '/srv/gw' });

describe('history retention settings', () => {
  it('reads ALERT_RETENTION, PUSH_ATTEMPT_RETENTION and HISTORY_TRIM_EVERY, unset by default (the store defaults apply)', () => {
    expect(load({ ALERT_RETENTION: '500', PUSH_ATTEMPT_RETENTION: '3000', HISTORY_TRIM_EVERY: '1' })).toMatchObject({
      alertRetention: 500,
      pushAttemptRetention: 3000,
      historyTrimEvery: 1,
    });
    const defaults = load({});
    expect([defaults.alertRetention, defaults.pushAttemptRetention, defaults.historyTrimEvery]).toEqual([undefined, undefined, undefined]);
  });

  it.each([
    ['ALERT_RETENTION', '0'],
    ['ALERT_RETENTION', 'many'],
    ['PUSH_ATTEMPT_RETENTION', '-5'],
    ['PUSH_ATTEMPT_RETENTION', '1.5'],
    ['HISTORY_TRIM_EVERY', '0'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    let problems: string[] = [];
    try {
      load({ [name]: value });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      problems = (error as ConfigError).problems;
    }
    expect(problems.some((p) => p.startsWith(name))).toBe(true);
  });
});
