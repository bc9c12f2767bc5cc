import { describe, expect, it } from 'vitest';
import { parseTranscriptHeader } from '../../src/transcript/parse-transcript-header.js';
import { parseDuration } from '../../src/transcript/parse-duration.js';

describe('parseTranscriptHeader', () => {
  it('reads a full hand-written YAML header', () => {
    const header = parseTranscriptHeader(`
# comments are allowed
purpose: woken session delivers a queued Get
mode: device-only
matchCommands: true
setup:
  providers:
    - { providerId: contoso, pfn: Contoso.MDM_8wekyb3d8bbwe, wns: { clientId: cid, clientSecret: s3cret } }
  devices: [{ deviceId: dev-1, providerId: contoso }]
  commands:
    - ref: fw
      spec: { verb: Get, target: ./DevDetail/FwV }
    - ref: both
      beforeMessage: 3
      spec:
        verb: Atomic
        commands:
          - { verb: Replace, target: ./Vendor/MSFT/Policy/Config/A, data: 1, format: int }
          - { verb: Delete, target: ./Vendor/MSFT/Policy/Config/B }
  clock: { start: 2025-03-01T09:00:00Z, step: 2s, advance: { 3: 16d } }
messages:
  2: { from: server }
  3: { skipRules: [msgid-sequence], note: replayed, httpStatus: 200, lacks: [{ verb: Replace, target: ./x }] }
expect:
  devices: [{ provisionedPfn: null, pushStatus: 0, channelUri: "https://x.notify.windows.com/?token=1" }]
  commands: [{ ref: fw, state: done, status: 200, results: [{ source: ./DevDetail/FwV, data: "1.0" }] }]
  alerts: [{ alert: 1226, alertType: "com.microsoft:mdm.unenrollment.userrequest", data: 1 }]
  channels: [{ channelUri: "https://x.notify.windows.com/?token=1", state: active }]
`);
    expect(header.mode).toBe('device-only');
    expect(header.setup?.commands?.[1]?.spec).toEqual({
      verb: 'Atomic',
      commands: [
        { verb: 'Replace', target: './Vendor/MSFT/Policy/Config/A', data: '1', format: 'int' },
        { verb: 'Delete', target: './Vendor/MSFT/Policy/Config/B' },
      ],
    });
    expect(header.setup?.clock?.advance).toEqual({ '3': '16d' });
    expect(header.messages?.['2']).toEqual({ from: 'server' });
    // numbers written by hand where text is meant become text
    expect(header.expect?.commands?.[0]?.status).toBe('200');
    expect(header.expect?.alerts?.[0]).toEqual({ alert: '1226', alertType: 'com.microsoft:mdm.unenrollment.userrequest', data: '1' });
    expect(header.expect?.devices?.[0]?.provisionedPfn).toBeNull();
  });

  it('accepts JSON (JSON is YAML)', () => {
    expect(parseTranscriptHeader('{"purpose": "x", "mode": "strict"}')).toEqual({ purpose: 'x', mode: 'strict' });
  });

  it('treats an empty header as no options', () => {
    expect(parseTranscriptHeader('# nothing yet\n')).toEqual({});
  });

  it('lists every schema violation with its path', () => {
    const attempt = (): unknown =>
      parseTranscriptHeader('purpose: x\nmode: loose\nsetup: { clock: { step: soon } }\nmessages: { first: {} }\nextra: 1\n', 'a.xml');
    expect(attempt).toThrow(/a\.xml: header does not match/);
    expect(attempt).toThrow(/\/mode must be equal to one of the allowed values/);
    expect(attempt).toThrow(/\/setup\/clock\/step must match pattern/);
    expect(attempt).toThrow(/must NOT have additional properties \(extra\)/);
    expect(attempt).toThrow(/\/messages must match pattern "\^\[1-9\]\[0-9\]\*\$"/);
  });

  it('rejects a purpose over several lines and a bad command spec', () => {
    expect(() => parseTranscriptHeader('purpose: "a\\nb"')).toThrow(/\/purpose must match pattern/);
    expect(() => parseTranscriptHeader('setup: { commands: [{ ref: a, spec: { verb: Get } }] }')).toThrow(/\/setup\/commands\/0\/spec/);
    expect(() => parseTranscriptHeader('setup: { commands: [{ ref: a, spec: { verb: Atomic, commands: [] } }] }')).toThrow(/spec/);
  });

  it('reports YAML syntax errors', () => {
    expect(() => parseTranscriptHeader('purpose: [unclosed\n', 'b.xml')).toThrow(/b\.xml: header is not valid YAML\/JSON/);
  });
});

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['1.5s', 1500],
    ['5m', 300_000],
    ['4h', 14_400_000],
    ['16d', 16 * 86_400_000],
    ['P16D', 16 * 86_400_000],
    ['PT4H30M', 16_200_000],
    ['P1DT2.5S', 86_402_500],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'P', 'PT', '5 m', '-1s', '1w'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(/is not a duration/);
  });
});
