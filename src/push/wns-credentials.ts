/**
 * WNS credentials of one provider and where its token endpoint is (PROTOCOL.md e.1 classic, e.2 Entra).
 */
import { createHash } from 'node:crypto';

export type WnsAuthFlow = 'classic' | 'entra';

export interface WnsCredentials {
  providerId: string;
  auth: WnsAuthFlow;
  /** classic: the package SID (ms-app://S-1-15-2-…); entra: the application (client) id. */
  clientId: string;
  clientSecret: string;
  /** Entra tenant id; required for the Entra flow unless the token URL names no {tenant}. */
  tenant: string | null;
  /** Per-provider token endpoint override; may contain `{tenant}`. */
  tokenUrl: string | null;
}

export const CLASSIC_TOKEN_URL = 'https://login.live.com/accesstoken.srf';
export const ENTRA_TOKEN_URL = 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token';
export const CLASSIC_SCOPE = 'notify.windows.com';
/** The Entra sample's raw HTTP has a trailing `/`, the C# sample none; the standard form is without (PROTOCOL.md e.2). */
export const ENTRA_SCOPE = 'https://wns.windows.com/.default';

/**
 * The token URL for `creds`: the provider's own, else the deployment-wide override (WNS_TOKEN_URL), else the real
 * endpoint of the flow. `{tenant}` is substituted. Returns an error string instead of a URL when unusable.
 */
export function resolveTokenUrl(creds: WnsCredentials, override: string | null): URL | string {
  const template = creds.tokenUrl ?? override ?? (creds.auth === 'classic' ? CLASSIC_TOKEN_URL : ENTRA_TOKEN_URL);
  let text = template;
  if (template.includes('{tenant}')) {
    if (!creds.tenant) return 'the Entra flow needs a tenant id';
    text = template.replaceAll('{tenant}', encodeURIComponent(creds.tenant));
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `token URL ${JSON.stringify(template)} is not a URL`;
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === '[::1]' || url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    return 'the token URL must be https (the client secret is sent to it)';
  }
  if (url.username !== '' || url.password !== '') return 'the token URL must not carry credentials';
  return url;
}

/** The form body of the client-credentials request (all parameters URL-encoded). */
export function tokenRequestForm(creds: WnsCredentials): URLSearchParams {
  return new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: creds.clientId,
    client_secret: creds.clientSecret,
    scope: creds.auth === 'classic' ? CLASSIC_SCOPE : ENTRA_SCOPE,
  });
}

/** Changes whenever anything that affects the token changes, so a cached token never outlives its credentials. */
export function credentialsFingerprint(creds: WnsCredentials, override: string | null): string {
  const material = JSON.stringify([creds.auth, creds.clientId, creds.clientSecret, creds.tenant, creds.tokenUrl, override]);
  return createHash('sha256').update(material).digest('base64url');
}
