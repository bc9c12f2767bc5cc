import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ChannelPolicyConfigError,
  checkChannelUri,
  createChannelPolicy,
  parseChannelHostPatterns,
} from '../../src/push/channel-policy.js';

const wns = parseChannelHostPatterns();

describe('channel policy with the default *.notify.windows.com', () => {
  it.each([
    'https://cloud.notify.windows.com/?token=AwYAAAD%2bHmFq',
    'https://dm3p.notify.windows.com/?token=abc',
    'https://wns2-by3p.notify.windows.com/w/?token=BQYAAA',
    'https://DM3P.Notify.Windows.COM/?token=abc',
    'https://a.b.notify.windows.com/x',
    'https://cloud.notify.windows.com:443/?token=abc',
    'https://cloud.notify.windows.com:0443/?token=abc', // the same default port
  ])('allows %s', (uri) => {
    const result = checkChannelUri(uri, wns);
    expect(result.allowed).toBe(true);
  });

  it.each([
    ['http://cloud.notify.windows.com/?token=abc', /not https/],
    ['https://evil.com#.notify.windows.com', /fragment/],
    ['https://evil.com/#.notify.windows.com', /fragment/],
    ['https://evil.com/?.notify.windows.com', /evil\.com is not an allowed/],
    ['https://notify.windows.com.evil.com/', /not an allowed channel host/],
    ['https://notify.windows.com/?token=abc', /not an allowed channel host/],
    ['https://evilnotify.windows.com/', /not an allowed channel host/],
    ['https://cloud.notify.windows.com./?token=abc', /trailing dot/],
    ['https://user:pw@cloud.notify.windows.com/', /credentials/],
    ['https://cloud.notify.windows.com@evil.com/', /credentials/],
    ['https://@cloud.notify.windows.com/', /credentials/],
    ['https://evil.com\\@cloud.notify.windows.com/', /backslash/],
    ['https://evil%2ecom.notify.windows.com/', /percent-encoded/],
    ['https://cloud%2enotify.windows.com/', /percent-encoded/],
    ['https://cloud.notify.windows.com:8443/', /port 8443 is not allowed/],
    ['https://clоud.notify.windows.com/', /non-ASCII/], // Cyrillic о
    ['https://cloud.notify.windows.com。evil.com/', /non-ASCII/], // ideographic full stop
    ['https://xn--e1awd7f.com/', /not an allowed channel host/],
    ['https://127.0.0.1/', /IP address/],
    ['https://0x7f.0.0.1/', /canonical/],
    ['https://[::1]/', /IP address/],
    ['ftp://cloud.notify.windows.com/', /scheme ftp/],
    ['cloud.notify.windows.com/?token=abc', /not an absolute/],
    ['//cloud.notify.windows.com/', /not an absolute/],
    ['https://cloud.notify.windows.com/ x', /whitespace/],
    ['https://cloud.notify.windows.com/\n', /whitespace/],
    ['', /empty/],
    [`https://cloud.notify.windows.com/?token=${'a'.repeat(3000)}`, /too long/],
    ['https://a..notify.windows.com/', /not an allowed channel host/],
    ['https://-a.notify.windows.com/', /not an allowed channel host/],
    ['javascript:alert(1)//cloud.notify.windows.com', /not an absolute|scheme/],
  ])('rejects %s', (uri, reason) => {
    const result = checkChannelUri(uri, wns);
    expect(result.allowed).toBe(false);
    if (!result.allowed) expect(result.reason).toMatch(reason);
  });
});

describe('channel policy with explicit test entries', () => {
  const policy = createChannelPolicy('*.notify.windows.com, https://127.0.0.1:*');

  it('allows the loopback fake on any port over https only', () => {
    expect(policy.check('https://127.0.0.1:40123/chan-1').allowed).toBe(true);
    const http = policy.check('http://127.0.0.1:40123/chan-1');
    expect(http).toMatchObject({ allowed: false, reason: expect.stringMatching(/not https/) });
    expect(policy.check('https://127.0.0.2:40123/chan-1')).toMatchObject({ allowed: false, reason: expect.stringMatching(/IP address/) });
    expect(policy.check('https://localhost:40123/chan-1').allowed).toBe(false);
  });

  it('takes an http entry only when it names http', () => {
    const plain = createChannelPolicy('http://127.0.0.1:*');
    expect(plain.check('http://127.0.0.1:5000/x').allowed).toBe(true);
    expect(plain.check('https://127.0.0.1:5000/x').allowed).toBe(false);
  });

  it('matches a fixed port exactly and a port-less entry only on the default port', () => {
    const fixed = createChannelPolicy('https://127.0.0.1:8443,push.example.test');
    expect(fixed.check('https://127.0.0.1:8443/x').allowed).toBe(true);
    expect(fixed.check('https://127.0.0.1:8444/x').allowed).toBe(false);
    expect(fixed.check('https://push.example.test/x').allowed).toBe(true);
    expect(fixed.check('https://push.example.test:444/x').allowed).toBe(false);
    expect(fixed.check('https://a.push.example.test/x').allowed).toBe(false);
  });

  it('does not let a wildcard match an IP literal', () => {
    const wild = createChannelPolicy('*.0.0.1');
    expect(wild.check('https://127.0.0.1/').allowed).toBe(false);
  });

  it('handles IPv6 loopback entries', () => {
    const v6 = createChannelPolicy('https://[::1]:*');
    expect(v6.check('https://[::1]:9000/x').allowed).toBe(true);
    expect(v6.check('https://[0:0::1]:9000/x').allowed).toBe(false);
  });
});

describe('WNS_CHANNEL_HOSTS parsing', () => {
  it.each(['', ' , ', 'ftp://x.test', '*.', '*', 'https://a.test:70000', 'a b.test', '**.test'])('rejects %j', (spec) => {
    expect(() => parseChannelHostPatterns(spec)).toThrow(ChannelPolicyConfigError);
  });

  it('parses scheme, wildcard and port', () => {
    expect(parseChannelHostPatterns('*.notify.windows.com,http://127.0.0.1:*,https://h.test:8443')).toEqual([
      { scheme: 'https', host: 'notify.windows.com', wildcard: true, ip: false, port: null },
      { scheme: 'http', host: '127.0.0.1', wildcard: false, ip: true, port: '*' },
      { scheme: 'https', host: 'h.test', wildcard: false, ip: false, port: 8443 },
    ]);
  });
});

describe('channel policy properties', () => {
  const pieces = ['https://', 'http://', 'cloud', '.notify.windows.com', 'notify.windows.com', '.', '..', 'evil.com', '@', ':', '443',
    '8443', '/', '?', '#', '%2e', '%40', '\\', 'xn--', '127.0.0.1', '[::1]', 'user:pw', 'token=abc', '*', ' ', '。', 'ｅ'];
  it('anything allowed is https on a *.notify.windows.com host, default port, no userinfo or fragment', () => {
    let allowed = 0;
    fc.assert(
      fc.property(
        fc.constantFrom('https://', 'http://', 'https:/', ''),
        fc.array(fc.constantFrom(...pieces), { maxLength: 6 }),
        fc.constantFrom('cloud.notify.windows.com', '.notify.windows.com', 'notify.windows.com.evil.com', ''),
        fc.array(fc.constantFrom(...pieces), { maxLength: 4 }),
        (scheme, before, host, after) => {
          const raw = scheme + before.join('') + host + after.join('');
          const result = checkChannelUri(raw, wns);
          if (!result.allowed) return true;
          allowed += 1;
          const url = result.url;
          return (
            url.protocol === 'https:' &&
            url.hostname.endsWith('.notify.windows.com') &&
            url.port === '' &&
            url.username === '' &&
            url.password === '' &&
            url.hash === '' &&
            !raw.includes('@') &&
            raw.toLowerCase().startsWith(`https://${url.hostname}`)
          );
        },
      ),
      { numRuns: 5000, seed: 4 },
    );
    expect(allowed).toBeGreaterThan(5); // the property was exercised on allowed URIs too
  });
});
