import type { SyncML } from '../syncml/model.js';
import type { SessionEffect, SessionState } from './ports.js';

/** Something the engine met and answered by rule, worth a log line (unknown references, refused input, …). */
export interface EngineNote {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/**
 * - processed: the message was handled and the reply is new;
 * - replayed: the immediate repeat of the last message, answered with the stored reply and no effects;
 * - rejected: refused as a whole (see session-admission.ts); no effects.
 */
export type Disposition = 'processed' | 'replayed' | 'rejected';

export interface SessionOutput {
  reply: SyncML;
  session: SessionState;
  effects: SessionEffect[];
  notes: EngineNote[];
  disposition: Disposition;
}
