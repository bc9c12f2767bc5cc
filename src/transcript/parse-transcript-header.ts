/**
 * Reads the YAML/JSON header of a transcript and validates it against schemas/transcript-header.schema.json.
 * Numbers written where the schema wants text (`status: 200`) are accepted as text: people write headers by hand.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import headerSchema from '../../schemas/transcript-header.schema.json' with { type: 'json' };
import type { TranscriptHeader } from './transcript.js';
import { TranscriptFormatError } from './transcript-format-error.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

let validator: ValidateFunction | null = null;

function validateHeader(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: true, coerceTypes: true, strict: true, useDefaults: false });
    addFormats(ajv);
    validator = ajv.compile(headerSchema);
  }
  return validator;
}

export function parseTranscriptHeader(text: string, fileName = 'transcript'): TranscriptHeader {
  let value: unknown;
  try {
    value = parseYaml(text, { prettyErrors: true });
  } catch (error) {
    const detail = error instanceof YAMLParseError ? error.message : String(error);
    throw new TranscriptFormatError(`${fileName}: header is not valid YAML/JSON: ${detail}`, { cause: error });
  }
  if (value === null || value === undefined) return {};
  const validate = validateHeader();
  if (!validate(value)) {
    throw new TranscriptFormatError(`${fileName}: header does not match schemas/transcript-header.schema.json:\n${formatErrors(validate.errors ?? [])}`);
  }
  return value as TranscriptHeader;
}

function formatErrors(errors: ErrorObject[]): string {
  const lines = new Set<string>();
  for (const e of errors) {
    // oneOf failures repeat every branch's complaint; the summary line is enough.
    if (e.keyword === 'oneOf') continue;
    const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : '';
    const allowed = e.keyword === 'enum' ? `: ${JSON.stringify((e.params as { allowedValues?: unknown }).allowedValues)}` : '';
    lines.add(`  ${e.instancePath || '/'} ${e.message ?? e.keyword}${extra}${allowed}`);
  }
  if (lines.size === 0) for (const e of errors) lines.add(`  ${e.instancePath || '/'} ${e.message ?? e.keyword}`);
  return [...lines].join('\n');
}
