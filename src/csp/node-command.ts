/**
 * A single-node OMA-DM command as csp/ describes it. Structurally the leaf form of session/ports.ts CommandSpec,
 * declared here so csp/ depends on nothing of ours (DESIGN.md: session → csp, never the other way).
 */
export interface NodeCommand {
  verb: 'Get' | 'Replace' | 'Add' | 'Delete' | 'Exec';
  target: string;
  data?: string;
  format?: string;
  type?: string;
}

/** A NodeCommand or an Atomic/Sequence of them: structurally a session/ports.ts CommandSpec. */
export type CspCommand = NodeCommand | { verb: 'Atomic' | 'Sequence'; commands: CspCommand[] };
