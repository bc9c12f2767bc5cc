/**
 * Which ChannelURIs may receive a WNS bearer token.
 *
 * A ChannelURI is reported by the device and is untrusted input. WNS says the cloud service must make sure the
 * channel URI uses the domain notify.windows.com and should not rely on the subdomain (PROTOCOL.md e.7 [WNS-OV]).
 * A token goes only to an `https` URL whose host matches one of the configured patterns (WNS_CHANNEL_HOSTS,
 * default `*.notify.windows.com`). An entry may name a scheme and a port for tests (`http://127.0.0.1:*`).
 *
 * The check is deliberately stricter than URL parsing: the host in the raw string must already be canonical (no
 * percent-encoding, no unicode, no trailing dot, no alternative IPv4 forms), there must be no userinfo, no fragment,
 * no backslash, no control or non-ASCII character. Anything else is an invalid channel that is never contacted.
 */
import { isIPv4 } from 'node:net';

export const DEFAULT_CHANNEL_HOSTS = '*.notify.windows.com';
const MAX_CHANNEL_URI_LENGTH = 2048;
const LABEL = /^[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?$/;

export interface ChannelHostPattern {
  scheme: 'https' | 'http';
  /** `*.example.com` (one or more labels before the suffix), an exact DNS name, or an exact IP literal. */
  host: string;
  wildcard: boolean;
  ip: boolean;
  /** null: only the scheme's default port; '*': any port; otherwise that port. */
  port: number | '*' | null;
}

export type ChannelCheck = { allowed: true; url: URL } | { allowed: false; reason: string };

export class ChannelPolicyConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ChannelPolicyConfigError';
  }
}

/** Parses a WNS_CHANNEL_HOSTS value (comma separated); throws ChannelPolicyConfigError on a bad entry. */
export function parseChannelHostPatterns(spec: string = DEFAULT_CHANNEL_HOSTS): ChannelHostPattern[] {
  const entries = spec
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0) throw new ChannelPolicyConfigError('WNS_CHANNEL_HOSTS is empty');
  return entries.map(parseEntry);
}

function parseEntry(entry: string): ChannelHostPattern {
  const bad = (why: string): never => {
    throw new ChannelPolicyConfigError(`WNS_CHANNEL_HOSTS entry "${entry}": ${why}`);
  };
  let rest = entry.toLowerCase();
  let scheme: 'https' | 'http' = 'https';
  const schemeMatch = /^([a-z]+):\/\//.exec(rest);
  if (schemeMatch) {
    if (schemeMatch[1] !== 'https' && schemeMatch[1] !== 'http') bad('scheme must be http or https');
    scheme = schemeMatch[1] as 'https' | 'http';
    rest = rest.slice(schemeMatch[0].length);
  }
  let port: ChannelHostPattern['port'] = null;
  const portMatch = /:(\*|\d{1,5})$/.exec(rest);
  if (portMatch) {
    const value = portMatch[1] ?? '';
    port = value === '*' ? '*' : Number(value);
    if (port !== '*' && (port < 1 || port > 65535)) bad('port out of range');
    rest = rest.slice(0, -portMatch[0].length);
  }
  if (rest.startsWith('[') && rest.endsWith(']')) return { scheme, host: rest, wildcard: false, ip: true, port };
  if (isIPv4(rest)) return { scheme, host: rest, wildcard: false, ip: true, port };
  const wildcard = rest.startsWith('*.');
  const host = wildcard ? rest.slice(2) : rest;
  const labels = host.split('.');
  if (labels.length < (wildcard ? 2 : 1) || !labels.every((l) => LABEL.test(l))) bad('not a host name pattern');
  return { scheme, host, wildcard, ip: false, port };
}

/** Decides whether `raw` may be sent a bearer token under `patterns`. Pure. */
export function checkChannelUri(raw: string, patterns: readonly ChannelHostPattern[]): ChannelCheck {
  const deny = (reason: string): ChannelCheck => ({ allowed: false, reason });
  if (raw.length === 0) return deny('empty ChannelURI');
  if (raw.length > MAX_CHANNEL_URI_LENGTH) return deny('ChannelURI too long');
  if (!/^[\x21-\x7e]+$/.test(raw)) return deny('ChannelURI contains whitespace, control or non-ASCII characters');
  if (raw.includes('\\')) return deny('ChannelURI contains a backslash');
  if (raw.includes('#')) return deny('ChannelURI has a fragment');
  const schemeEnd = raw.indexOf('://');
  if (schemeEnd <= 0) return deny('ChannelURI is not an absolute http(s) URL');
  const afterScheme = raw.slice(schemeEnd + 3);
  const authority = afterScheme.split(/[/?]/, 1)[0] ?? '';
  if (authority.includes('@')) return deny('ChannelURI carries credentials');
  if (authority.includes('%')) return deny('ChannelURI host is percent-encoded');

  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return deny('ChannelURI is not a valid URL');
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme !== 'https' && scheme !== 'http') return deny(`scheme ${scheme} is not allowed`);
  if (url.username !== '' || url.password !== '') return deny('ChannelURI carries credentials');
  if (url.hash !== '') return deny('ChannelURI has a fragment');

  const host = url.hostname;
  const rawHost = stripPort(authority).toLowerCase();
  if (rawHost !== host) return deny('ChannelURI host is not in canonical form');
  if (host.endsWith('.')) return deny('ChannelURI host has a trailing dot');
  const ip = host.startsWith('[') || isIPv4(host);

  const port = url.port === '' ? null : Number(url.port);
  const match = patterns.find(
    (p) => p.scheme === scheme && hostMatches(p, host, ip) && (p.port === '*' || p.port === port),
  );
  if (match) return { allowed: true, url };
  if (scheme !== 'https' && !patterns.some((p) => p.scheme === scheme)) return deny('ChannelURI is not https');
  if (ip) return deny(`IP address ${host} is not an allowed channel host`);
  if (patterns.some((p) => p.scheme === scheme && hostMatches(p, host, ip))) {
    return deny(`port ${url.port} is not allowed for ${host}`);
  }
  return deny(`host ${host} is not an allowed channel host`);
}

function hostMatches(p: ChannelHostPattern, host: string, ip: boolean): boolean {
  if (p.ip || ip) return p.ip && ip && p.host === host;
  if (!p.wildcard) return p.host === host;
  if (!host.endsWith(`.${p.host}`)) return false;
  const prefix = host.slice(0, -(p.host.length + 1));
  return prefix.split('.').every((l) => LABEL.test(l));
}

function stripPort(authority: string): string {
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']');
    return end < 0 ? authority : authority.slice(0, end + 1);
  }
  const colon = authority.lastIndexOf(':');
  return colon < 0 ? authority : authority.slice(0, colon);
}

/** A policy bound to its patterns, so consumers depend on one function. */
export interface ChannelPolicy {
  check(channelUri: string): ChannelCheck;
}

export function createChannelPolicy(spec: string = DEFAULT_CHANNEL_HOSTS): ChannelPolicy {
  const patterns = parseChannelHostPatterns(spec);
  return { check: (channelUri) => checkChannelUri(channelUri, patterns) };
}
