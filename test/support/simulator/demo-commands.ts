/**
 * The commands the wake-loop demo can queue for every device, by name (`simulate --commands get,atomic`), each with
 * the result a simulated device gives it. A JSON command request (or an array of them) is accepted too.
 */
import type { CommandSpec } from '../../../src/session/ports.js';
import { REBOOT_NOW_PATH } from './device-tree.js';

const CAMERA = './Vendor/MSFT/Policy/Config/Camera/AllowCamera';

export const DEMO_COMMANDS: Readonly<Record<string, { spec: CommandSpec; expect: string }>> = {
  get: { spec: { verb: 'Get', target: './DevDetail/SwV' }, expect: 'done 200 with the OS version in Results' },
  replace: { spec: { verb: 'Replace', target: CAMERA, data: '0', format: 'int' }, expect: 'done 200' },
  exec: { spec: { verb: 'Exec', target: REBOOT_NOW_PATH }, expect: 'done 200 (the device counts a reboot)' },
  missing: { spec: { verb: 'Get', target: './Vendor/MSFT/NoSuchCsp/Node' }, expect: 'failed 404' },
  atomic: {
    spec: {
      verb: 'Atomic',
      commands: [
        { verb: 'Replace', target: CAMERA, data: '1', format: 'int' },
        { verb: 'Replace', target: './DevInfo/Man', data: 'x', format: 'chr' },
      ],
    },
    expect: 'failed 507: the read-only DevInfo/Man fails (405) and the tree rolls back (216)',
  },
};

export class DemoCommandError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DemoCommandError';
  }
}

/** `get,atomic` → those presets; `{…}` or `[…]` → JSON command requests as the API takes them. */
export function parseDemoCommands(text: string): CommandSpec[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (cause) {
      throw new DemoCommandError(`--commands is not valid JSON: ${(cause as Error).message}`, { cause });
    }
    const list = Array.isArray(parsed) ? parsed : [parsed];
    if (list.length === 0 || !list.every((c) => typeof c === 'object' && c !== null && typeof (c as { verb?: unknown }).verb === 'string')) {
      throw new DemoCommandError('--commands JSON must be a command request {"verb": …} or a non-empty array of them');
    }
    return list as CommandSpec[];
  }
  const names = trimmed.split(',').map((n) => n.trim()).filter((n) => n !== '');
  if (names.length === 0) throw new DemoCommandError('--commands is empty');
  return names.map((name) => {
    const preset = DEMO_COMMANDS[name];
    if (!preset) throw new DemoCommandError(`unknown command "${name}"; choose from ${Object.keys(DEMO_COMMANDS).join(', ')} or give JSON`);
    return preset.spec;
  });
}
