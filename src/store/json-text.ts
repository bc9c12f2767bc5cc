import { CorruptRowError } from './errors.js';

/** JSON columns are text on both backends; these are the only (de)serialisation points. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value);
}

export function fromJsonText<T>(text: string | null | undefined, what: string): T | null {
  if (text === null || text === undefined) return null;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new CorruptRowError(`stored ${what} is not valid JSON`, { cause: error });
  }
}
