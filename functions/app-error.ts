import { ERRORS, type ErrorCode } from '../shared/errors';

/** A refusal the client should see, with its stable code. Anything else thrown is an internal error. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    /** For logs only: never sent to the client. */
    readonly detail?: string,
  ) {
    super(detail ? `${code}: ${detail}` : code);
    this.name = 'AppError';
    this.status = ERRORS[code].status;
  }
}
