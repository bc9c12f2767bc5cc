/** Durations in transcript headers: `250ms`, `30s`, `5m`, `4h`, `16d`, or ISO 8601 `P16D`, `PT4H30M`, `P1DT2.5S`. */
import { TranscriptFormatError } from './transcript-format-error.js';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function parseDuration(text: string): number {
  const simple = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text);
  if (simple) return Math.round(Number(simple[1]) * UNIT_MS[simple[2] as keyof typeof UNIT_MS]);
  const iso = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (iso && text !== 'P' && !text.endsWith('T')) {
    const [, d, h, m, s] = iso;
    return Math.round(Number(d ?? 0) * UNIT_MS.d + Number(h ?? 0) * UNIT_MS.h + Number(m ?? 0) * UNIT_MS.m + Number(s ?? 0) * UNIT_MS.s);
  }
  throw new TranscriptFormatError(`"${text}" is not a duration (250ms, 30s, 5m, 4h, 16d or ISO 8601 like P16D)`);
}
