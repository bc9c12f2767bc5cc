import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsPkg from 'ajv-formats';

const addFormats = addFormatsPkg as unknown as typeof addFormatsPkg.default;

export const API_SCHEMA_BASE = 'https://omadm-gateway.example/schemas/api/';

/** One schema violation, pointing into the part of the request it was found in. */
export interface SchemaViolation {
  in?: 'body' | 'query' | 'path';
  pointer: string;
  message: string;
}

export interface SchemaRegistry {
  /** Validates `data` against schemas/api/<name>.schema.json (or a `#/$defs/…` fragment of it) without changing it. */
  check(name: string, data: unknown): SchemaViolation[];
  /** Same for query strings: text is coerced to the schema's types and defaults are filled in, in place. */
  checkQuery(name: string, query: Record<string, unknown>): SchemaViolation[];
  /** The parsed schema files by file name, for the OpenAPI document. */
  readonly documents: ReadonlyMap<string, Record<string, unknown>>;
}

/** Loads every schemas/api/*.schema.json once; the same files the OpenAPI document references. */
export function createSchemaRegistry(apiSchemaDir: string): SchemaRegistry {
  const documents = new Map<string, Record<string, unknown>>();
  for (const file of readdirSync(apiSchemaDir).filter((f) => f.endsWith('.schema.json')).sort()) {
    documents.set(file, JSON.parse(readFileSync(join(apiSchemaDir, file), 'utf8')) as Record<string, unknown>);
  }
  const bodies = newAjv(false);
  const queries = newAjv(true);
  for (const doc of documents.values()) {
    bodies.addSchema(doc);
    queries.addSchema(doc);
  }
  const cache = new Map<string, ValidateFunction>();
  const compiled = (ajv: Ajv2020, key: string, name: string) => {
    const cacheKey = `${key}:${name}`;
    let fn = cache.get(cacheKey);
    if (!fn) {
      const [file, fragment] = name.split('#');
      const id = `${API_SCHEMA_BASE}${file}.schema.json${fragment ? `#${fragment}` : ''}`;
      fn = ajv.getSchema(id);
      if (!fn) throw new Error(`no schema ${id}`);
      cache.set(cacheKey, fn);
    }
    return fn;
  };
  return {
    documents,
    check(name, data) {
      const fn = compiled(bodies, 'b', name);
      return fn(data) ? [] : toViolations(fn.errors);
    },
    checkQuery(name, query) {
      const fn = compiled(queries, 'q', name);
      return fn(query) ? [] : toViolations(fn.errors);
    },
  };
}

function newAjv(coerce: boolean): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, strictTypes: false, coerceTypes: coerce, useDefaults: coerce });
  addFormats(ajv);
  return ajv;
}

/** ajv errors → short messages; branch noise of if/then/else and oneOf is dropped when a precise error exists. */
function toViolations(errors: ErrorObject[] | null | undefined): SchemaViolation[] {
  const list = errors ?? [];
  const precise = list.filter((e) => !['if', 'oneOf', 'anyOf'].includes(e.keyword));
  // A failed then/else branch leaves its fields "unevaluated": report the real error, not those fields.
  const relevant = precise.filter(
    (e) =>
      e.keyword !== 'unevaluatedProperties' ||
      !precise.some(
        (o) =>
          o !== e &&
          (o.instancePath.startsWith(`${e.instancePath}/`) ||
            (o.keyword !== 'unevaluatedProperties' && o.instancePath === e.instancePath)),
      ),
  );
  const chosen = relevant.length > 0 ? relevant : list;
  const seen = new Set<string>();
  const out: SchemaViolation[] = [];
  for (const e of chosen) {
    let pointer = e.instancePath;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties' || e.keyword === 'unevaluatedProperties') {
      const extra = (e.params as { additionalProperty?: string; unevaluatedProperty?: string });
      const name = extra.additionalProperty ?? extra.unevaluatedProperty ?? '';
      pointer = `${pointer}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      message = 'is not a known field';
    } else if (e.keyword === 'enum') {
      message = `must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    }
    const key = `${pointer} ${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ pointer, message });
    }
  }
  return out;
}
