import { describe, expect, it } from 'vitest';
import { devInfoNodeName } from '../../src/csp/dev-info.js';
import { pollPath } from '../../src/csp/dmclient-paths.js';
import { pollScheduleCommands, PollScheduleError } from '../../src/csp/poll-schedule.js';

describe('devInfoNodeName (PROTOCOL.md d.4)', () => {
  it('matches DevId and DevID alike and spells it canonically', () => {
    expect(devInfoNodeName('./DevInfo/DevId')).toBe('DevId');
    expect(devInfoNodeName('./DevInfo/DevID')).toBe('DevId');
    expect(devInfoNodeName('./devinfo/dmv')).toBe('DmV');
    expect(devInfoNodeName('DevInfo/Lang')).toBe('Lang');
  });

  it('keeps unknown DevInfo children by name and ignores other trees', () => {
    expect(devInfoNodeName('./DevInfo/Ext/Foo')).toBe('Ext/Foo');
    expect(devInfoNodeName('./DevDetail/SwV')).toBeNull();
    expect(devInfoNodeName('./DevInfo/')).toBeNull();
  });
});

describe('pollScheduleCommands (PROTOCOL.md d.2)', () => {
  it('replaces each field that is set, with its format', () => {
    const cmds = pollScheduleCommands('omadm-gateway', {
      intervalForFirstSetOfRetries: 15,
      numberOfFirstRetries: 5,
      intervalForSecondSetOfRetries: 60,
      numberOfSecondRetries: 10,
      intervalForRemainingScheduledRetries: 1440,
      numberOfRemainingScheduledRetries: 0,
      pollOnLogin: true,
    });
    expect(cmds).toHaveLength(7);
    expect(cmds[0]).toEqual({ verb: 'Replace', target: pollPath('omadm-gateway', 'IntervalForFirstSetOfRetries'), data: '15', format: 'int' });
    expect(cmds[6]).toEqual({ verb: 'Replace', target: './Vendor/MSFT/DMClient/Provider/omadm-gateway/Poll/PollOnLogin', data: 'true', format: 'bool' });
  });

  it('refuses what MS-MDE2 forbids', () => {
    expect(() => pollScheduleCommands('p', { numberOfFirstRetries: 0 })).toThrow(PollScheduleError);
    expect(() => pollScheduleCommands('p', { intervalForRemainingScheduledRetries: 60 })).toThrow(PollScheduleError);
    expect(() =>
      pollScheduleCommands('p', {
        intervalForFirstSetOfRetries: 0,
        numberOfFirstRetries: 1,
        intervalForSecondSetOfRetries: 0,
        numberOfSecondRetries: 0,
        intervalForRemainingScheduledRetries: 0,
        numberOfRemainingScheduledRetries: 0,
      }),
    ).not.toThrow();
    expect(() => pollScheduleCommands('p', { numberOfSecondRetries: 0, numberOfRemainingScheduledRetries: 0, numberOfFirstRetries: 2 })).not.toThrow();
    expect(() => pollScheduleCommands('p', { intervalForFirstSetOfRetries: -1 })).toThrow(PollScheduleError);
  });
});
