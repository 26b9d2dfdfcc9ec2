import type { MessageKey } from './i18n/index.ts';

/**
 * Errors with a stable code. One place (platform/http/errors.ts) maps them to HTTP status codes,
 * problem+json under /api and friendly pages elsewhere. `messageKey` names the i18n catalogue entry.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly messageKey: MessageKey,
    readonly params: Record<string, string | number> = {},
    readonly fields: FieldError[] = [],
  ) {
    super(code);
    this.name = 'AppError';
  }
}

/**
 * A problem with one input field: either a catalogue key (commands) or a message already in the
 * user's language (schema validation, which translates as it parses).
 */
export type FieldError =
  | { field: string; key: MessageKey; params?: Record<string, string | number>; message?: undefined }
  | { field: string; message: string; key?: undefined };

/** The text of a field error in the user's language. */
export const fieldMessage = (t: (k: MessageKey, p?: Record<string, string | number>) => string, e: FieldError) =>
  e.message ?? t(e.key, e.params);

/** A 400/409 for one field, with a catalogue key. */
export const fieldProblem = (
  code: string,
  status: number,
  field: string,
  key: MessageKey,
  params?: Record<string, string | number>,
) => new AppError(code, status, 'error.invalid_input', {}, [{ field, key, ...(params ? { params } : {}) }]);

export const notFound = () => new AppError('not_found', 404, 'error.not_found');
export const forbidden = () => new AppError('forbidden', 403, 'error.forbidden');
export const unauthenticated = () => new AppError('unauthenticated', 401, 'error.unauthenticated');
export const invalidInput = (fields: FieldError[]) => new AppError('invalid_input', 400, 'error.invalid_input', {}, fields);
