import { ERRORS, type ErrorCode, type ErrorParamsArg, type ErrorParamValues } from '../shared/errors';

/** A refusal the client should see, with its stable code. Anything else thrown is an internal error. */
export class AppError<C extends ErrorCode = ErrorCode> extends Error {
  readonly status: number;
  /** What the code's message names (`{minutes}`): required by the type exactly when it names any; sent to the client. */
  readonly params: ErrorParamValues | undefined;
  constructor(
    readonly code: C,
    /** For logs only: never sent to the client. */
    readonly detail?: string,
    ...[params]: ErrorParamsArg<C>
  ) {
    super(detail ? `${code}: ${detail}` : code);
    this.name = 'AppError';
    this.status = ERRORS[code].status;
    this.params = params;
  }
}
