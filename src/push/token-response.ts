/**
 * Reads a token endpoint's 200 body. Classic (login.live.com) sends `expires_in` as a number, Entra as a string
 * and `token_type` as `Bearer` (PROTOCOL.md e.1, e.2); the classic overview sample omits `expires_in`.
 */
export interface IssuedToken {
  accessToken: string;
  expiresInSeconds: number;
}

export function parseTokenResponse(body: unknown, defaultExpiresInSeconds: number): IssuedToken | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'token response is not a JSON object';
  const doc = body as Record<string, unknown>;
  const accessToken = doc['access_token'];
  if (typeof accessToken !== 'string' || accessToken.length === 0) return 'token response has no access_token';
  if (!/^[\x21-\x7e]+$/.test(accessToken)) return 'access_token has characters not allowed in a header';
  const tokenType = doc['token_type'];
  if (tokenType !== undefined && (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer')) {
    return `token_type ${JSON.stringify(tokenType)} is not bearer`;
  }
  const raw = doc['expires_in'];
  let expiresInSeconds = defaultExpiresInSeconds;
  if (typeof raw === 'number' && Number.isFinite(raw) && raw > 0) expiresInSeconds = raw;
  else if (typeof raw === 'string' && /^\d{1,10}$/.test(raw.trim()) && Number(raw) > 0) expiresInSeconds = Number(raw);
  else if (raw !== undefined) return `expires_in ${JSON.stringify(raw)} is not a positive number`;
  return { accessToken, expiresInSeconds };
}
