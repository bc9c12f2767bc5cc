import type { EntitySchemaColumnOptions } from 'typeorm';
import type { Dialect } from '../dialect.js';
import { epochMs, numberFromBigint } from '../epoch-ms.js';

/** Column shapes shared by the entity schemas; they mirror what the migrations create. */
export const text = (nullable = false): EntitySchemaColumnOptions => ({ type: 'text', nullable });
export const varchar = (length: number, nullable = false): EntitySchemaColumnOptions => ({ type: 'varchar', length, nullable });
export const integer = (nullable = false, defaultValue?: number): EntitySchemaColumnOptions =>
  defaultValue === undefined ? { type: 'integer', nullable } : { type: 'integer', nullable, default: defaultValue };
export const boolean = (): EntitySchemaColumnOptions => ({ type: 'boolean', nullable: false });
/** Epoch milliseconds (see epoch-ms.ts). */
export const time = (nullable = false): EntitySchemaColumnOptions => ({ type: 'bigint', nullable, transformer: epochMs });
/** JSON documents are stored as text and (de)serialised by the repositories. */
export const json = (nullable = false): EntitySchemaColumnOptions => ({ type: 'text', nullable });
export const uuidKey = (): EntitySchemaColumnOptions => ({ type: 'varchar', length: 36, primary: true });

/** Raw bytes: BLOB on SQLite, BYTEA on PostgreSQL (no type is accepted by both drivers). */
export const binary = (dialect: Dialect): EntitySchemaColumnOptions => ({ type: dialect === 'postgres' ? 'bytea' : 'blob', nullable: false });

/** Auto-increment key: INTEGER on SQLite (only INTEGER PRIMARY KEY can autoincrement), BIGSERIAL on PostgreSQL. */
export const serialKey = (dialect: Dialect): EntitySchemaColumnOptions => ({
  type: dialect === 'postgres' ? 'bigint' : 'integer',
  primary: true,
  generated: 'increment',
  transformer: numberFromBigint,
});
