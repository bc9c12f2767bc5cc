export { createDataSource, dataSourceOptions, hasPendingMigrations, runMigrations, SQLITE_FILE, type DataSourceConfig } from './data-source.js';
export { dialectOf, isPostgresUrl, type Dialect } from './dialect.js';
export * from './errors.js';
export type * from './roles.js';
export { entities, entitiesFor, migrations } from './schema.js';
export { createSecretBox, loadOrCreateSecretKey, secretKeyFrom, type SecretBox } from './secret-box.js';
export { CHANNEL_LIFETIME_MS } from './channel-repository.js';
export { createStore, type StoreOptions } from './store.js';
export type * from './views.js';
