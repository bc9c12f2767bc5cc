import { describe, expect, it } from 'vitest';
import { errorTaxonomy, problemType } from '../../src/http/error-taxonomy.js';
import { createBearerAuthenticator } from '../../src/http/operator-auth.js';
import { toHttpError } from '../../src/http/problem-response.js';
import { CommandNotCancellableError, CommandNotFoundError, InvalidCursorError, NoUsableChannelError, UnknownDeviceError } from '../../src/store/errors.js';

describe('bearer authentication', () => {
  const auth = createBearerAuthenticator('the-right-token-0123456789');

  it('accepts exactly the token, with the Bearer scheme in any case', () => {
    expect(auth.verify('Bearer the-right-token-0123456789')).toBe(true);
    expect(auth.verify('bearer the-right-token-0123456789')).toBe(true);
    expect(auth.verify('BEARER   the-right-token-0123456789 ')).toBe(true);
  });

  it.each([undefined, '', 'Bearer', 'Bearer ', 'Bearer the-right-token-012345678', 'Bearer the-right-token-01234567890', 'Basic the-right-token-0123456789', 'the-right-token-0123456789', 'Bearer the-right-token-0123456789 extra', 'Bearer\tthe-right-token-0123456789'])(
    'refuses %j',
    (header) => {
      expect(auth.verify(header)).toBe(false);
    },
  );
});

describe('error taxonomy', () => {
  it('gives every kind a stable type URI and a 4xx/5xx status', () => {
    for (const [kind, { status, title }] of Object.entries(errorTaxonomy)) {
      expect(problemType(kind as keyof typeof errorTaxonomy)).toBe(`urn:omadm-gateway:problem:${kind}`);
      expect(status >= 400 && status < 600).toBe(true);
      expect(title.length).toBeGreaterThan(3);
    }
  });

  it.each([
    [new UnknownDeviceError('d'), 'device-not-found', 404],
    [new CommandNotFoundError('d', 'c'), 'command-not-found', 404],
    [new CommandNotCancellableError('c', 'sent'), 'command-not-cancellable', 409],
    [new NoUsableChannelError('d', 'no channel reported'), 'no-usable-channel', 409],
    [new InvalidCursorError(), 'invalid-cursor', 400],
    [Object.assign(new Error('too big'), { type: 'entity.too.large', limit: 10 }), 'body-too-large', 413],
    [Object.assign(new Error('bad json'), { type: 'entity.parse.failed' }), 'malformed-json', 400],
    [Object.assign(new Error('charset'), { type: 'charset.unsupported' }), 'unsupported-media-type', 415],
    [new URIError('URI malformed'), 'validation-failed', 400],
    [new Error('something broke inside'), 'internal', 500],
  ])('maps %s to %s (%i), in one place', (error, kind, status) => {
    const mapped = toHttpError(error);
    expect(mapped.kind).toBe(kind);
    expect(mapped.status).toBe(status);
    if (kind === 'internal') expect(mapped.detail).toBeUndefined();
  });
});
