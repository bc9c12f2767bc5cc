/** Thrown when a model cannot be written as SyncML that would read back as the same model. */
export class SyncMLSerializeError extends Error {
  override readonly name = 'SyncMLSerializeError';
  /** Where in the model, e.g. `body.commands[2].items[0].data`. */
  readonly path: string;

  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(`${message} (at ${path})`, options);
    this.path = path;
  }
}
