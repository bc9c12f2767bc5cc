/**
 * Output: a readable table (default) or one JSON object per line (`--json`) with exactly
 * {"name","value","unit","baseline","baselineValue","ratio"}; NaN (no baseline, not measured) becomes null.
 * Progress and notes go to stderr so `--json` output stays machine-readable.
 */
import { describeTarget, meetsTarget, type Figure } from './figure.js';

export interface Reporter {
  figure(f: Figure): void;
  /** A line of context (skips, setup times); stderr in JSON mode. */
  note(text: string): void;
  section(title: string): void;
  readonly figures: readonly Figure[];
}

export function createReporter(options: { json: boolean; out?: NodeJS.WritableStream; err?: NodeJS.WritableStream }): Reporter {
  const out = options.out ?? process.stdout;
  const err = options.err ?? process.stderr;
  const figures: Figure[] = [];
  return {
    figures,
    figure(f) {
      figures.push(f);
      if (options.json) out.write(`${JSON.stringify(jsonLine(f))}\n`);
      else out.write(`${textLine(f)}\n`);
    },
    note(text) {
      (options.json ? err : out).write(`  · ${text}\n`);
    },
    section(title) {
      (options.json ? err : out).write(`\n== ${title} ==\n`);
    },
  };
}

export function jsonLine(f: Figure): Record<string, unknown> {
  const num = (x: number): number | null => (Number.isFinite(x) ? round(x, 4) : null);
  return { name: f.name, value: num(f.value), unit: f.unit, baseline: f.baseline, baselineValue: num(f.baselineValue), ratio: num(f.ratio) };
}

export function textLine(f: Figure): string {
  const values = (f.runs ?? []).map((r) => r.value).filter(Number.isFinite);
  const ratios = (f.runs ?? []).map((r) => r.ratio).filter(Number.isFinite);
  const range = (xs: number[], digits: number) => (xs.length > 1 ? ` [${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)}]` : '');
  const parts = [`${f.name.padEnd(44)} ${fmt(f.value, 1).padStart(10)} ${f.unit}${range(values, 1)}`];
  if (Number.isFinite(f.baselineValue)) parts.push(`vs ${f.baseline} ${fmt(f.baselineValue, 1)}`);
  if (Number.isFinite(f.ratio)) parts.push(`ratio ${fmt(f.ratio, 2)}${range(ratios, 2)}`);
  if (f.target) {
    const ok = meetsTarget(f);
    parts.push(`target ${describeTarget(f.target, f.unit)} ${ok === null ? '(n/a)' : ok ? 'MET' : 'MISSED'}`);
  }
  if (f.note) parts.push(`(${f.note})`);
  return parts.join('  ');
}

function fmt(x: number, digits: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString('en-US');
  return x.toFixed(digits);
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
