/**
 * One error vocabulary: a stable code (`csrf.invalid`, `interaction.expired`), an HTTP status
 * and a locale key for the page. Tests assert on codes, not on texts.
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, status = 400, message?: string) {
    super(message ?? code);
    this.code = code;
    this.status = status;
  }
}
