/** Expected outcomes of store operations, as typed errors (the HTTP layer maps them to problem+json in one place). */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class UnknownDeviceError extends StoreError {
  constructor(readonly deviceId: string) {
    super(`device ${deviceId} is not known`);
  }
}

export class CommandNotFoundError extends StoreError {
  constructor(readonly deviceId: string, readonly commandId: string) {
    super(`command ${commandId} of device ${deviceId} does not exist`);
  }
}

export class CommandNotCancellableError extends StoreError {
  constructor(readonly commandId: string, readonly state: string) {
    super(`command ${commandId} is ${state}; only a queued command can be cancelled`);
  }
}

/** The device has no channel a wake may be sent to; `reason` says why (shown to the operator with a 409). */
export class NoUsableChannelError extends StoreError {
  constructor(readonly deviceId: string, readonly reason: string) {
    super(`device ${deviceId} has no usable push channel: ${reason}`);
  }
}

export class InvalidCursorError extends StoreError {
  constructor(options?: { cause?: unknown }) {
    super('invalid page cursor', options);
  }
}

/** A stored value could not be decoded (corrupt JSON, a secret sealed with another key, …). */
export class CorruptRowError extends StoreError {}
