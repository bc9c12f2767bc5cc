import { HttpError } from '../error-taxonomy.js';
import type { ApiDeps } from './api-deps.js';

/**
 * For a lookup that found nothing: device-not-found when the device is unknown, else `otherwise`. Routes read what
 * they were asked for first and ask about the device only on a miss, so a hit costs one store call.
 */
export async function missingDeviceOr(deps: ApiDeps, deviceId: string, otherwise: HttpError): Promise<HttpError> {
  return (await deps.ports.devices.getDevice(deviceId)) ? otherwise : new HttpError('device-not-found', `no device ${deviceId}`);
}

/** For a list that came back empty: device-not-found when the device is unknown (an unknown device has no rows). */
export async function assertDeviceWhenEmpty(deps: ApiDeps, deviceId: string, page: { items: readonly unknown[] }): Promise<void> {
  if (page.items.length === 0 && !(await deps.ports.devices.getDevice(deviceId))) throw new HttpError('device-not-found', `no device ${deviceId}`);
}
