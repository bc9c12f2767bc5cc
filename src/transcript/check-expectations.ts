/**
 * Compares the header's `expect` block with the stored state after a replay. Only the fields an expectation
 * names are checked; a string `*` matches any value that is present (not null).
 */
import type { StateSnapshot } from './gateway-under-test.js';
import { WILDCARD } from './diff-syncml.js';
import type { TranscriptExpectations } from './transcript.js';

export interface ExpectationFailure {
  /** Where in the header, e.g. `expect.devices[0].channelUri`. */
  path: string;
  message: string;
}

export interface ExpectationContext {
  /** Device of the transcript's first device message: the default for entries without deviceId. */
  defaultDeviceId: string;
  /** setup.commands ref → id the gateway gave the queued command. */
  commandIds: ReadonlyMap<string, string>;
}

type Scalar = string | number | boolean | null | undefined;

function same(expected: Scalar, actual: Scalar): boolean {
  if (expected === WILDCARD) return actual !== null && actual !== undefined;
  return (expected ?? null) === (actual ?? null);
}

const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v));

export function checkExpectations(expect: TranscriptExpectations, state: StateSnapshot, ctx: ExpectationContext): ExpectationFailure[] {
  const out: ExpectationFailure[] = [];
  const field = (path: string, expected: Scalar, actual: Scalar): void => {
    if (expected !== undefined && !same(expected, actual)) out.push({ path, message: `expected ${show(expected)}, got ${show(actual)}` });
  };

  (expect.devices ?? []).forEach((e, i) => {
    const path = `expect.devices[${i}]`;
    const deviceId = e.deviceId ?? ctx.defaultDeviceId;
    const d = state.devices.find((x) => x.deviceId === deviceId);
    if (!d) {
      out.push({ path, message: `no stored device ${deviceId} (stored: ${state.devices.map((x) => x.deviceId).join(', ') || 'none'})` });
      return;
    }
    field(`${path}.providerId`, e.providerId, d.providerId);
    field(`${path}.enrollmentState`, e.enrollmentState, d.enrollmentState);
    field(`${path}.provisionedPfn`, e.provisionedPfn, d.provisionedPfn);
    field(`${path}.channelUri`, e.channelUri, d.channelUri);
    field(`${path}.pushStatus`, e.pushStatus, d.pushStatus);
    field(`${path}.pollProvisioned`, e.pollProvisioned, d.pollProvisioned);
    for (const [node, value] of Object.entries(e.devInfo ?? {})) field(`${path}.devInfo.${node}`, value, d.devInfo[node]);
  });

  (expect.commands ?? []).forEach((e, i) => {
    const path = `expect.commands[${i}] (${e.ref})`;
    const id = ctx.commandIds.get(e.ref);
    const c = id === undefined ? undefined : state.commands.find((x) => x.id === id);
    if (!c) {
      out.push({ path, message: `command ${e.ref} is not stored` });
      return;
    }
    field(`${path}.state`, e.state, c.state);
    field(`${path}.status`, e.status, c.status);
    if (e.results) {
      if (e.results.length !== c.results.length) {
        out.push({ path: `${path}.results`, message: `expected ${e.results.length} item(s), got ${c.results.length}: ${show(c.results)}` });
      }
      e.results.forEach((r, k) => {
        const got = c.results[k];
        if (!got) return;
        field(`${path}.results[${k}].source`, r.source, got.source);
        field(`${path}.results[${k}].data`, r.data, got.data);
        field(`${path}.results[${k}].format`, r.format, got.format);
        field(`${path}.results[${k}].type`, r.type, got.type);
      });
    }
    if (e.children && e.children.join(',') !== (c.children ?? []).join(',')) {
      out.push({ path: `${path}.children`, message: `expected statuses [${e.children.join(', ')}], got [${(c.children ?? []).join(', ')}]` });
    }
  });

  if (expect.alerts) {
    const got = state.alerts;
    if (expect.alerts.length !== got.length) {
      const list = got.map((a) => `${a.alert}${a.alertType ? ` ${a.alertType}` : ''}${a.data ? `=${a.data}` : ''}`).join(', ');
      out.push({ path: 'expect.alerts', message: `expected ${expect.alerts.length} stored alert(s), got ${got.length}: [${list}]` });
    }
    expect.alerts.forEach((e, i) => {
      const a = got[i];
      if (!a) return;
      const path = `expect.alerts[${i}]`;
      field(`${path}.deviceId`, e.deviceId ?? ctx.defaultDeviceId, a.deviceId);
      field(`${path}.alert`, e.alert, a.alert);
      field(`${path}.alertType`, e.alertType, a.alertType);
      field(`${path}.format`, e.format, a.format);
      field(`${path}.mark`, e.mark, a.mark);
      field(`${path}.source`, e.source, a.source);
      field(`${path}.data`, e.data, a.data);
    });
  }

  (expect.channels ?? []).forEach((e, i) => {
    const deviceId = e.deviceId ?? ctx.defaultDeviceId;
    const found = state.channels.filter((c) => c.deviceId === deviceId && c.channelUri === e.channelUri);
    if (!found.some((c) => c.state === e.state)) {
      const states = found.map((c) => c.state).join(', ') || 'not stored';
      out.push({ path: `expect.channels[${i}]`, message: `expected ${e.channelUri} to be ${e.state}, it is ${states}` });
    }
  });
  return out;
}
