import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkCommand } from '../../src/http/command-rules.js';
import { HttpError } from '../../src/http/error-taxonomy.js';
import { locUriProblem } from '../../src/http/loc-uri.js';

describe('locUriProblem (PROTOCOL.md a.4)', () => {
  it.each([
    './DevInfo/Mod',
    './Vendor/MSFT/DMClient/Provider/omadm-gateway/Push/PFN',
    './Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera',
    './user/Vendor/MSFT/EnterpriseModernAppManagement/AppInstallation/Contoso.App_8wekyb3d8bbwe/StoreInstall',
    './Vendor/MSFT/EnterpriseDesktopAppManagement/MSI/%7BAF9257BA-6BBD-4624-AA9B-0182D136C73A%7D/DownloadInstall',
    './Vendor/MSFT/Registry/HKLM/Security/a.b',
    'DevInfo/Mod',
    './Vendor/%C3%A9t%C3%A9',
    './a/b~c/d_e/f-g/h!$&\'()+,;=:@',
  ])('accepts %s', (uri) => {
    expect(locUriProblem(uri)).toBeNull();
  });

  it.each([
    ['', 'is empty'],
    ['/Vendor/MSFT', 'cannot start with /'],
    ['./Vendor/MSFT/Registry/HKLM/Security/./Test', 'only a leading "." is allowed'],
    ['./a/../b', 'only a leading "." is allowed'],
    ['..', 'only a leading "." is allowed'],
    ['./a//b', 'empty node name'],
    ['./a/b/', 'empty node name'],
    ['./a/*', 'only *'],
    ['./a/**', 'only *'],
    ['./a b', 'percent-encoded'],
    ['./a/é', 'percent-encoded'],
    ['./a/b?list=Struct', 'percent-encoded'],
    ['./a/b#frag', 'percent-encoded'],
    ['./a/<b>', 'percent-encoded'],
    ['./a\\b', 'percent-encoded'],
    ['./a/%4', 'percent-encoded'],
    ['./a/%ff', 'not UTF-8'],
    [`./${'a'.repeat(2048)}`, 'longer than'],
  ])('refuses %j (%s)', (uri, reason) => {
    expect(locUriProblem(uri)).toContain(reason);
  });

  it('never throws and only accepts URIs made of allowed characters', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (uri) => {
        const problem = locUriProblem(uri);
        if (problem === null) expect(uri).toMatch(/^[A-Za-z0-9\-._~!$&'()*+,;=:@%/]+$/);
      }),
      { numRuns: 500 },
    );
  });
});

describe('checkCommand', () => {
  const kindOf = (fn: () => void) => {
    try {
      fn();
      return null;
    } catch (error) {
      return error instanceof HttpError ? error.kind : 'other';
    }
  };

  it('accepts leaf commands and containers Windows accepts', () => {
    expect(kindOf(() => checkCommand({ verb: 'Replace', target: './A/B', data: '5', format: 'int' }))).toBeNull();
    expect(kindOf(() => checkCommand({ verb: 'Add', target: './A/B', format: 'node' }))).toBeNull();
    expect(kindOf(() => checkCommand({ verb: 'Exec', target: './Vendor/MSFT/RemoteWipe/doWipe', data: '' }))).toBeNull();
    expect(kindOf(() => checkCommand({ verb: 'Atomic', commands: [{ verb: 'Sequence', commands: [{ verb: 'Replace', target: './A', data: 'true', format: 'bool' }] }] }))).toBeNull();
    expect(kindOf(() => checkCommand({ verb: 'Sequence', commands: [{ verb: 'Atomic', commands: [{ verb: 'Delete', target: './A' }] }, { verb: 'Get', target: './B' }] }))).toBeNull();
    expect(kindOf(() => checkCommand({ verb: 'Replace', target: './A', data: 'AAEC', format: 'b64' }))).toBeNull();
    expect(kindOf(() => checkCommand({ verb: 'Replace', target: './A', data: '-1.5e3', format: 'float' }))).toBeNull();
  });

  it.each([
    ['nested Atomic', { verb: 'Atomic', commands: [{ verb: 'Atomic', commands: [{ verb: 'Delete', target: './A' }] }] }, 'invalid-command'],
    ['Get in Atomic', { verb: 'Atomic', commands: [{ verb: 'Get', target: './A' }] }, 'invalid-command'],
    ['Sequence in Sequence', { verb: 'Sequence', commands: [{ verb: 'Sequence', commands: [{ verb: 'Get', target: './A' }] }] }, 'invalid-command'],
    ['data on Delete', { verb: 'Delete', target: './A', data: 'x' }, 'invalid-command'],
    ['float that is not', { verb: 'Replace', target: './A', data: '1,5', format: 'float' }, 'invalid-command'],
    ['b64 that is not', { verb: 'Replace', target: './A', data: '@@@', format: 'b64' }, 'invalid-command'],
    ['node with data', { verb: 'Add', target: './A', data: 'x', format: 'node' }, 'invalid-command'],
    ['bad LocURI wins', { verb: 'Atomic', commands: [{ verb: 'Get', target: '/A' }] }, 'invalid-loc-uri'],
  ] as const)('refuses %s', (_name, spec, kind) => {
    expect(kindOf(() => checkCommand(spec as never))).toBe(kind);
  });
});
