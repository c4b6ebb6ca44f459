// The contract's error codes and the one JSON shape every error takes.

export type ErrorCode =
  | 'invalid_request'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'mode_unsupported'
  | 'overloaded'
  | 'internal_error'
  /** The client went away before its answer (status 499, which nobody reads; it shows in logs and metrics). */
  | 'client_closed';

export interface ErrorBody {
  error: ErrorCode;
  message: string;
}

export function errorBody(error: ErrorCode, message: string): ErrorBody {
  return { error, message };
}
