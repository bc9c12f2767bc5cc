/** The raw-notification request every sender in the push benchmark makes (what src/push/raw-sender.ts sends). */
export const RAW_PAYLOAD = '1';

export function rawHeaders(token: string, msCv: string): Record<string, string> {
  return {
    authorization: `Bearer ${token}`,
    'content-type': 'application/octet-stream',
    'content-length': '1',
    'x-wns-type': 'wns/raw',
    'x-wns-cache-policy': 'cache',
    'x-wns-requestforstatus': 'true',
    'ms-cv': msCv,
  };
}
