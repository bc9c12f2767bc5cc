import type { EntitySchema } from 'typeorm';
import type { Dialect } from './dialect.js';
import { alertEntity } from './entities/alert-entity.js';
import { channelEntity } from './entities/channel-entity.js';
import { commandEntity } from './entities/command-entity.js';
import { deviceBindingEntity } from './entities/device-binding-entity.js';
import { deviceCredentialEntity } from './entities/device-credential-entity.js';
import { deviceEntity } from './entities/device-entity.js';
import { messageEntity } from './entities/message-entity.js';
import { providerEntity } from './entities/provider-entity.js';
import { pushAttemptEntity } from './entities/push-attempt-entity.js';
import { sessionEntity } from './entities/session-entity.js';
import { wakeEntity } from './entities/wake-entity.js';
import { DeviceCredentials1764200000000 } from './migrations/device-credentials.js';
import { DevicePollHash1764300000000 } from './migrations/device-poll-hash.js';
import { InitialSchema1764100000000 } from './migrations/initial-schema.js';

export type { AlertRow } from './entities/alert-entity.js';
export type { ChannelRow } from './entities/channel-entity.js';
export type { CommandRow } from './entities/command-entity.js';
export type { DeviceBindingRow } from './entities/device-binding-entity.js';
export type { DeviceCredentialRow } from './entities/device-credential-entity.js';
export type { DeviceRow } from './entities/device-entity.js';
export type { MessageRow } from './entities/message-entity.js';
export type { ProviderRow } from './entities/provider-entity.js';
export type { PushAttemptRow } from './entities/push-attempt-entity.js';
export type { SessionRow } from './entities/session-entity.js';
export type { WakeRow } from './entities/wake-entity.js';

/**
 * The entity schemas for a backend. A function of the dialect because two column kinds have no type both drivers accept:
 * raw bytes (BLOB / BYTEA) and the auto-increment key (INTEGER / BIGINT). Rows are snake_case interfaces; repositories map
 * them to the domain types of src/session/ports.ts and src/store/views.ts.
 */
export function entitiesFor(dialect: Dialect): EntitySchema[] {
  return [
    providerEntity(),
    deviceBindingEntity(),
    deviceEntity(),
    sessionEntity(),
    commandEntity(),
    channelEntity(),
    alertEntity(dialect),
    messageEntity(dialect),
    wakeEntity(),
    pushAttemptEntity(dialect),
    deviceCredentialEntity(),
  ] as EntitySchema[];
}

/** Entity schemas per backend (see entitiesFor). */
export const entities: Readonly<Record<Dialect, EntitySchema[]>> = {
  sqlite: entitiesFor('sqlite'),
  postgres: entitiesFor('postgres'),
};

/** Migrations in order; each works on both backends. */
export const migrations = [InitialSchema1764100000000, DeviceCredentials1764200000000, DevicePollHash1764300000000];
