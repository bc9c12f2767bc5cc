/**
 * Checks HTTP answers against the served OpenAPI document: the route and method are documented, the status is one
 * of the operation's responses, the content type is declared, and the body validates against the declared schema.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsPkg from 'ajv-formats';

const addFormats = addFormatsPkg as unknown as typeof addFormatsPkg.default;

type Json = Record<string, unknown>;

export interface OpenApiContract {
  /** The documented path template a concrete path matches, or null. */
  templateOf(path: string): string | null;
  /** Problems with one answer (empty when it conforms). */
  check(method: string, path: string, status: number, contentType: string | null, body: unknown): string[];
}

export function createOpenApiContract(doc: Json): OpenApiContract {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  ajv.addSchema(doc, 'openapi.json');
  const paths = doc.paths as Record<string, Json>;
  const templates = Object.keys(paths).map((t) => ({
    template: t,
    regex: new RegExp(`^${t.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[A-Za-z]+\\?\}/g, '[^/]+')}$`),
  }));
  const compiled = new Map<string, ValidateFunction>();
  const resolve = (value: Json): Json => {
    const ref = value.$ref;
    if (typeof ref !== 'string') return value;
    let cur: unknown = doc;
    for (const part of ref.slice(2).split('/')) cur = (cur as Json)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    return cur as Json;
  };
  const validator = (schema: Json): ValidateFunction => {
    const key = JSON.stringify(schema);
    let fn = compiled.get(key);
    if (!fn) {
      fn = typeof schema.$ref === 'string' ? ajv.compile({ $ref: `openapi.json${schema.$ref}` }) : ajv.compile(schema);
      compiled.set(key, fn);
    }
    return fn;
  };
  const templateOf = (path: string) => templates.find((t) => t.regex.test(path))?.template ?? null;
  return {
    templateOf,
    check(method, rawPath, status, contentType, body) {
      const path = rawPath.split('?')[0] ?? rawPath;
      const template = templateOf(path);
      if (!template) return [`${method} ${path}: path not in the OpenAPI document`];
      const operation = paths[template]?.[method.toLowerCase()] as Json | undefined;
      if (!operation) return [`${method} ${template}: method not in the OpenAPI document`];
      const responses = operation.responses as Record<string, Json>;
      const response = responses[String(status)] ? resolve(responses[String(status)]!) : undefined;
      if (!response) return [`${method} ${template}: status ${status} not documented (${Object.keys(responses).join(', ')})`];
      const content = response.content as Record<string, Json> | undefined;
      if (!content) return body === undefined || body === '' ? [] : [`${method} ${template} ${status}: body not documented`];
      const mediaType = (contentType ?? '').split(';')[0]!.trim();
      const declared = content[mediaType];
      if (!declared) return [`${method} ${template} ${status}: content type ${mediaType} not documented (${Object.keys(content).join(', ')})`];
      const fn = validator(declared.schema as Json);
      if (fn(body)) return [];
      return (fn.errors ?? []).map((e) => `${method} ${template} ${status}: ${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
    },
  };
}
