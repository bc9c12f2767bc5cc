/**
 * `omadm-gateway replay FILE…`: replays each transcript against its own fresh gateway and prints a readable
 * report. Returns the exit code: 0 when every transcript passed, 1 when any failed (mismatch, broken rule,
 * unmet expectation, unreadable file), 2 when there was nothing to replay.
 */
import { parseSyncML, serializeSyncML } from '../syncml/index.js';
import { decodeWbxml, encodeWbxml } from '../syncml/wbxml/index.js';
import type { StartGateway } from './gateway-under-test.js';
import { listTranscriptFiles, readTranscriptFile } from './read-transcript-file.js';
import { replayTranscript } from './replay.js';
import { formatReplayReport, type ReplayReport } from './replay-report.js';
import type { ReplayMode } from './transcript.js';

export interface ReplayCommandOptions {
  startGateway: StartGateway;
  /** Overrides every transcript's mode. */
  mode?: ReplayMode;
  /** Print notes and the gateway's replies. */
  verbose?: boolean;
  /** Print one JSON report per line instead of text. */
  json?: boolean;
  write?: (text: string) => void;
}

export async function runReplayCommand(files: string[], options: ReplayCommandOptions): Promise<number> {
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  const paths = await listTranscriptFiles(files);
  if (paths.length === 0) {
    write('replay: no transcript files given (FILE… or a directory of *.xml / *.syncml)\n');
    return 2;
  }
  const reports: ReplayReport[] = [];
  for (const path of paths) {
    const report = await replayFile(path, options);
    reports.push(report);
    write(options.json ? `${JSON.stringify(report)}\n` : `${formatReplayReport(report, { verbose: options.verbose ?? false })}\n`);
  }
  const failed = reports.filter((r) => !r.ok).length;
  if (!options.json) write(`\n${reports.length - failed} passed, ${failed} failed (${reports.length} transcript${reports.length === 1 ? '' : 's'})\n`);
  return failed === 0 ? 0 : 1;
}

export async function replayFile(path: string, options: Pick<ReplayCommandOptions, 'startGateway' | 'mode'>): Promise<ReplayReport> {
  try {
    const transcript = await readTranscriptFile(path, options.mode ? { mode: options.mode } : {});
    return await replayTranscript(transcript, {
      startGateway: options.startGateway,
      codec: {
        parse: (input) => parseSyncML(input),
        serialize: serializeSyncML,
        wbxml: { decode: (bytes) => decodeWbxml(bytes), encode: (message) => encodeWbxml(message) },
      },
    });
  } catch (error) {
    return {
      file: path,
      mode: options.mode ?? 'strict',
      ok: false,
      exchanges: [],
      expectationFailures: [],
      error: error instanceof Error ? error.message : String(error),
    };
  }
}
