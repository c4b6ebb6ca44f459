// The contract's error codes and the one JSON shape every error takes.

export type ErrorCode =
  | 'invalid_request'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'mode_unsupported'
  | 'overloaded'
  | 'internal_error'
  /** Logged only: the client went away before its answer. */
  | 'client_closed';

export interface ErrorBody {
  error: ErrorCode;
  message: string;
}

export function errorBody(error: ErrorCode, message: string): ErrorBody {
  return { error, message };
}
