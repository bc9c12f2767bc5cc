/** The structured result of replaying one transcript. */
import type { RuleViolation } from './check-reply-rules.js';
import type { ExpectationFailure } from './check-expectations.js';
import type { ReplayMode } from './transcript.js';

export interface ExchangeReport {
  /** Position of the device message in the file. */
  deviceMessage: number;
  /** Position of the recorded server message answering it, if the file has one. */
  serverMessage?: number;
  httpStatus: number;
  /**
   * Whether the device message went out as recorded, with MsgRef/CmdRef rewritten to the gateway's numbering, or
   * converted from the form it is written in to the transcript's encoding (XML ↔ WBXML, through the model).
   */
  sent: 'verbatim' | 'rewritten' | 'converted';
  /** The gateway's reply as text (for reading a failure; a WBXML reply as the XML serializer renders it). */
  replyText?: string;
  /** Readable differences from the recorded server message (strict). */
  differences: string[];
  violations: RuleViolation[];
  /** contains/lacks, matchCommands and HTTP-level failures. */
  failures: string[];
  /** Informational: things that are not failures but help read one. */
  notes: string[];
}

export interface ReplayReport {
  file: string;
  purpose?: string;
  mode: ReplayMode;
  ok: boolean;
  exchanges: ExchangeReport[];
  expectationFailures: ExpectationFailure[];
  /** A problem that stopped the replay (gateway failed to start, transport error, unreadable reply). */
  error?: string;
}

/** Every failure of a report as one readable line each. */
export function reportProblems(report: ReplayReport): string[] {
  const lines: string[] = [];
  if (report.error) lines.push(report.error);
  for (const x of report.exchanges) {
    lines.push(...x.failures.map((f) => `message ${x.deviceMessage} (device) → reply: ${f}`));
    lines.push(...x.differences);
    lines.push(...x.violations.map((v) => `reply to message ${x.deviceMessage} (device) breaks ${v.rule}: ${v.message}`));
  }
  lines.push(...report.expectationFailures.map((f) => `${f.path}: ${f.message}`));
  return lines;
}

export function formatReplayReport(report: ReplayReport, options: { verbose?: boolean } = {}): string {
  const head = `${report.ok ? 'PASS' : 'FAIL'} ${report.file}${report.purpose ? ` — ${report.purpose}` : ''} (${report.mode}, ${report.exchanges.length} exchange${report.exchanges.length === 1 ? '' : 's'})`;
  const lines = [head, ...reportProblems(report).map((l) => `  ${l.replace(/\n/g, '\n    ')}`)];
  if (options.verbose || !report.ok) {
    for (const x of report.exchanges) for (const n of x.notes) lines.push(`  note: message ${x.deviceMessage}: ${n}`);
  }
  if (options.verbose) {
    for (const x of report.exchanges) if (x.replyText) lines.push(`  reply to message ${x.deviceMessage}:`, ...x.replyText.split('\n').map((l) => `    ${l}`));
  }
  return lines.join('\n');
}
