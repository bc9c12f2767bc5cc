/**
 * What the push dispatcher needs from storage: a narrow slice of the store's role interfaces (src/store/roles.ts).
 * createStore() provides it on SQLite and PostgreSQL; push depends on the types only.
 */
import type { DeviceDirectory, ProviderDirectory, PushStore, WakeQueue } from '../store/roles.js';

export type { DeviceFilter, PushAttemptInput, WakeView } from '../store/views.js';
export type { WakeOutcome } from '../store/roles.js';
export type { WakeResult, WakeSettled, WakeSettlement, WakeSettleItem, WakeSettleOutcome } from '../store/roles.js';

export type WakeStore = Pick<WakeQueue, 'requestWake' | 'requestWakes' | 'claimWakes' | 'settleWake' | 'settleWakes' | 'expireWakes'> &
  Pick<PushStore, 'getProviderCredentials'> &
  Pick<ProviderDirectory, 'getProvider'> &
  Pick<DeviceDirectory, 'listDevices'>;
