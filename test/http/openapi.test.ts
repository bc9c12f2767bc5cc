/**
 * One source of truth: the routes the app registers, schemas/openapi.yaml and the JSON Schemas in schemas/api agree.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemasDir } from '../../src/config/index.js';
import { buildOpenApiDocument } from '../../src/http/openapi-document.js';
import { API_SCHEMA_BASE, createSchemaRegistry } from '../../src/http/schema-registry.js';
import { sqliteBackend, type TestDatabase } from '../support/databases.js';
import { startTestGateway, type TestGateway } from './gateway-harness.js';

type Json = Record<string, any>;

describe('OpenAPI document', () => {
  let db: TestDatabase;
  let t: TestGateway;
  let doc: Json;

  beforeAll(async () => {
    db = await sqliteBackend.create();
    t = await startTestGateway(db);
    doc = (await t.api('GET', '/api/v1/openapi.json')).body as Json;
  });
  afterAll(async () => {
    await t?.close();
    await db?.dispose();
  });

  it('is the bundle of schemas/openapi.yaml and schemas/api, and every $ref resolves inside it', () => {
    const registry = createSchemaRegistry(join(schemasDir, 'api'));
    expect(doc).toEqual(buildOpenApiDocument(join(schemasDir, 'openapi.yaml'), registry.documents));
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(50);
    for (const ref of refs) {
      expect(ref.startsWith('#/'), ref).toBe(true);
      let cur: unknown = doc;
      for (const part of ref.slice(2).split('/')) cur = (cur as Json | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
      expect(cur, ref).toBeDefined();
    }
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.jsonSchemaDialect).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('documents exactly the routes the app registers', () => {
    const registered = t.gateway.routes.map((r) => `${r.method} ${r.openApiPath}`).sort();
    const documented = Object.entries(doc.paths as Record<string, Json>)
      .flatMap(([path, item]) => Object.keys(item).filter((k) => ['get', 'put', 'post', 'delete', 'patch'].includes(k)).map((m) => `${m} ${path}`))
      .sort();
    expect(documented).toEqual(registered);
  });

  it('declares authentication on every route but health, and 401/500 problem answers with it', () => {
    expect(doc.security).toEqual([{ operatorToken: [] }]);
    for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
      for (const [method, op] of Object.entries(item).filter(([k]) => k !== 'parameters') as Array<[string, Json]>) {
        if (path === '/healthz' || path === '/readyz') {
          expect(op.security, `${method} ${path}`).toEqual([]);
          continue;
        }
        expect(op.security, `${method} ${path}`).toBeUndefined();
        expect(op.responses['401'], `${method} ${path}`).toEqual({ $ref: '#/components/responses/Unauthorized' });
        expect(op.responses['500'], `${method} ${path}`).toEqual({ $ref: '#/components/responses/Internal' });
        expect(op.operationId, `${method} ${path}`).toEqual(expect.any(String));
      }
    }
  });

  it('has every schema file with a matching $id, 2020-12, and compiling in strict mode', () => {
    const files = readdirSync(join(schemasDir, 'api')).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(15);
    const registry = createSchemaRegistry(join(schemasDir, 'api'));
    for (const file of files) {
      const schema = JSON.parse(readFileSync(join(schemasDir, 'api', file), 'utf8')) as Json;
      expect(schema.$schema, file).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(schema.$id, file).toBe(API_SCHEMA_BASE + file);
      expect(() => registry.check(file.replace(/\.schema\.json$/, ''), {})).not.toThrow();
      expect(doc.components.schemas[file.replace(/\.schema\.json$/, '')], file).toBeDefined();
    }
  });
});
