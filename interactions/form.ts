import type { Context } from 'koa';
import type { z } from 'zod';

/** The url-encoded body as plain strings (missing fields become ''). */
export function formBody(ctx: Context): Record<string, string> {
  const body = (ctx.request.body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : '']));
}

export type FieldErrors = Record<string, string[]>;

/** Parses a form with a zod schema; errors come back as field → locale keys for the view. */
export function parseForm<S extends z.ZodType>(schema: S, body: Record<string, string>): { ok: true; data: z.infer<S> } | { ok: false; errors: FieldErrors } {
  const result = schema.safeParse(body);
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? 'form');
    (errors[field] ??= []).push(issue.message);
  }
  return { ok: false, errors };
}

/** Return addresses must be an authorization request of this provider (no open redirect). */
export function safeReturnTo(value: unknown): string | null {
  return typeof value === 'string' && value.startsWith('/auth?') && !/[\\\s]/.test(value) ? value : null;
}

/** Internal page paths only. */
export function safeNext(value: unknown, fallback = '/konto'): string {
  return typeof value === 'string' && /^\/(konto|auth\?)/.test(value) && !/[\\\s]/.test(value) ? value : fallback;
}

export function seeOther(ctx: Context, location: string): void {
  ctx.status = 303;
  ctx.redirect(location);
}
