import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/**
 * schemas/openapi.yaml with the JSON Schema files it references (./api/*.schema.json) bundled into
 * components/schemas, every $ref rewritten to point inside the one document, so clients get a self-contained
 * OpenAPI 3.1 document while the files stay the single source of truth.
 */
export function buildOpenApiDocument(openApiPath: string, schemaFiles: ReadonlyMap<string, Record<string, unknown>>): Record<string, unknown> {
  const doc = parse(readFileSync(openApiPath, 'utf8')) as Record<string, unknown>;
  const components = (doc.components ??= {}) as Record<string, unknown>;
  const bundled = (components.schemas ??= {}) as Record<string, unknown>;
  for (const [file, schema] of schemaFiles) {
    const name = stem(file);
    const { $id: _id, $schema: _schema, ...rest } = schema;
    bundled[name] = rewriteRefs(rest, (ref) => bundledRef(ref, name));
  }
  const { schemas: _s, ...otherComponents } = components;
  const rewritten = rewriteRefs({ ...doc, components: otherComponents }, (ref) => bundledRef(ref, null));
  return { ...rewritten, components: { ...(rewritten.components as object), schemas: bundled } };
}

function stem(file: string): string {
  return file.replace(/^.*\//, '').replace(/\.schema\.json$/, '');
}

/** `./api/x.schema.json#/frag` or `x.schema.json#/frag` → `#/components/schemas/x/frag`; `#/frag` inside schema x likewise. */
function bundledRef(ref: string, within: string | null): string {
  const [file, fragment = ''] = ref.split('#');
  if (file === '' || file === undefined) return within === null ? ref : `#/components/schemas/${within}${fragment}`;
  return `#/components/schemas/${stem(file)}${fragment}`;
}

function rewriteRefs<T>(value: T, rewrite: (ref: string) => string): T {
  if (Array.isArray(value)) return value.map((v: unknown) => rewriteRefs(v, rewrite)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = key === '$ref' && typeof v === 'string' ? rewrite(v) : rewriteRefs(v, rewrite);
  }
  return out as T;
}
