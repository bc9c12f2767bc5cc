/**
 * The per-session DMClient push plan (PROTOCOL.md d.1, f; DESIGN.md "Every device session does the same three
 * things"): Replace `…/Push/PFN` when the device does not hold the provider's current PFN, and Get
 * `…/Push/ChannelURI` and `…/Push/Status` every session. Pure: the session engine sends the commands and hands the
 * device's answers back here.
 *
 * PFN provisioning, because whether Replace creates the node is UNCONFIRMED (d.1, UNCONFIRMED 4):
 *   Replace → 2xx: provisioned.  Replace → 404 (node missing, MS-MDM §3.1.5.1.7): Add next.
 *   Add → 2xx: provisioned.      Add → 418 (the node exists, but with an unknown value): Replace once more.
 *   Anything else, or a third failure: rejected. At most three PFN commands per session, so no loop.
 * 418 is NOT taken as "provisioned": it only proves a PFN node exists, not that it holds our PFN.
 */
import { isSuccessStatus } from '../syncml/codes.js';
import { pushPaths } from './dmclient-paths.js';
import type { NodeCommand } from './node-command.js';

export type PushPlanItem =
  | { purpose: 'pfn'; verb: 'Replace' | 'Add'; pfn: string; attempt: number }
  | { purpose: 'channelUri' }
  /**
   * `repairPfn`: the provider's PFN when this session sends no PFN command; a Push/Status saying the registration is
   * broken (see PFN_REPAIR_STATUSES) then makes the gateway set the PFN again in the same session.
   */
  | { purpose: 'pushStatus'; repairPfn?: string };

export interface PushPlanInput {
  providerId: string;
  /** The provider's current PFN; null = no push configuration, so no PFN is sent. */
  providerPfn: string | null;
  /** The PFN the device last confirmed with a 2xx; null when unknown. */
  provisionedPfn: string | null;
}

const MAX_PFN_ATTEMPTS = 3;

/**
 * Push/Status values (d.1) after which setting the PFN again is the remedy: 1 invalid PFN, 3 WNS registration failed
 * (invalid or revoked PFN), 4 no ChannelURI assigned, 5 ChannelURI expired. Setting the PFN makes the DMClient register
 * with WNS anew (PUSH-2017: "the PFN should be set during the next sync session"; servers "can reset the PFN before
 * the channel expires"). 2 (MSA authentication), 6, 7 (power/connectivity) and 8 are not fixed by a new PFN.
 */
export const PFN_REPAIR_STATUSES: ReadonlySet<number> = new Set([1, 3, 4, 5]);

/** The plan for the first server package of a session: PFN (when needed), then ChannelURI and Status. */
export function initialPushPlan(input: PushPlanInput): PushPlanItem[] {
  const plan: PushPlanItem[] = [];
  if (input.providerPfn && input.provisionedPfn !== input.providerPfn) {
    plan.push({ purpose: 'pfn', verb: 'Replace', pfn: input.providerPfn, attempt: 1 });
  }
  const repair = plan.length === 0 && input.providerPfn ? { repairPfn: input.providerPfn } : {};
  plan.push({ purpose: 'channelUri' }, { purpose: 'pushStatus', ...repair });
  return plan;
}

export function pushPlanCommand(item: PushPlanItem, providerId: string): NodeCommand {
  const paths = pushPaths(providerId);
  switch (item.purpose) {
    case 'pfn':
      return { verb: item.verb, target: paths.pfn, data: item.pfn, format: 'chr' };
    case 'channelUri':
      return { verb: 'Get', target: paths.channelUri };
    case 'pushStatus':
      return { verb: 'Get', target: paths.status };
  }
}

export type PushObservation =
  | { kind: 'pfnProvisioned'; pfn: string }
  | { kind: 'pfnRejected'; pfn: string; status: string }
  | { kind: 'channelReported'; channelUri: string | null }
  | { kind: 'statusReported'; pushStatus: number }
  /** The device answered, but nothing can be concluded (e.g. a 500 for a Get, a non-integer Push/Status). */
  | { kind: 'inconclusive'; reason: string };

export interface PushAnswer {
  status: string;
  /** Data of the Results items; null when no Results arrived. */
  results: Array<string | undefined> | null;
}

export interface PushInterpretation {
  observations: PushObservation[];
  /** A command to send in the next package (PFN fallback). */
  followUp: PushPlanItem | null;
}

export function interpretPushAnswer(item: PushPlanItem, answer: PushAnswer): PushInterpretation {
  switch (item.purpose) {
    case 'pfn':
      return interpretPfn(item, answer.status);
    case 'channelUri':
      return { observations: [channelObservation(answer)], followUp: null };
    case 'pushStatus': {
      const observation = pushStatusObservation(answer);
      const repair = item.repairPfn !== undefined && observation.kind === 'statusReported' && PFN_REPAIR_STATUSES.has(observation.pushStatus);
      return {
        observations: [observation],
        followUp: repair && item.repairPfn ? { purpose: 'pfn', verb: 'Replace', pfn: item.repairPfn, attempt: 1 } : null,
      };
    }
  }
}

function interpretPfn(item: Extract<PushPlanItem, { purpose: 'pfn' }>, status: string): PushInterpretation {
  if (isSuccessStatus(status)) return { observations: [{ kind: 'pfnProvisioned', pfn: item.pfn }], followUp: null };
  const canRetry = item.attempt < MAX_PFN_ATTEMPTS;
  if (canRetry && item.verb === 'Replace' && status === '404') {
    return { observations: [], followUp: { ...item, verb: 'Add', attempt: item.attempt + 1 } };
  }
  if (canRetry && item.verb === 'Add' && status === '418') {
    return { observations: [], followUp: { ...item, verb: 'Replace', attempt: item.attempt + 1 } };
  }
  return { observations: [{ kind: 'pfnRejected', pfn: item.pfn, status }], followUp: null };
}

/**
 * ChannelURI: "If no valid PFN is currently set, ChannelURI will return null" [DMC] — read as 404, 204 or an empty
 * Data (UNCONFIRMED 5), all reported as null. A 200 whose Results never came proves nothing.
 */
function channelObservation(answer: PushAnswer): PushObservation {
  if (answer.status === '404' || answer.status === '204') return { kind: 'channelReported', channelUri: null };
  if (!isSuccessStatus(answer.status)) return { kind: 'inconclusive', reason: `ChannelURI Get answered ${answer.status}` };
  if (answer.results === null) return { kind: 'inconclusive', reason: 'ChannelURI Get returned no Results' };
  const uri = (answer.results[0] ?? '').trim();
  return { kind: 'channelReported', channelUri: uri === '' ? null : uri };
}

function pushStatusObservation(answer: PushAnswer): PushObservation {
  if (!isSuccessStatus(answer.status)) return { kind: 'inconclusive', reason: `Push/Status Get answered ${answer.status}` };
  if (answer.results === null) return { kind: 'inconclusive', reason: 'Push/Status Get returned no Results' };
  const text = (answer.results[0] ?? '').trim();
  if (!/^-?\d{1,9}$/.test(text)) return { kind: 'inconclusive', reason: `Push/Status is not an integer: ${JSON.stringify(text.slice(0, 40))}` };
  return { kind: 'statusReported', pushStatus: Number(text) };
}
