import { readFileSync } from 'node:fs';
import type { Context, Next } from 'koa';

export const LOCALES = ['de', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export type Messages = Readonly<Record<string, string>>;

/** Loads the flat key→text locale files once (German UI first, English second). */
export function loadMessages(dir: string): Readonly<Record<Locale, Messages>> {
  const read = (locale: Locale) => JSON.parse(readFileSync(`${dir}/${locale}.json`, 'utf8')) as Messages;
  return Object.freeze({ de: read('de'), en: read('en') });
}

/** Picks the locale from ?lang=, then Accept-Language; German is the default. */
export function localeMiddleware() {
  return async (ctx: Context, next: Next) => {
    const requested = typeof ctx.query.lang === 'string' ? ctx.query.lang : undefined;
    const fromHeader = ctx.acceptsLanguages([...LOCALES]);
    const lang = (LOCALES as readonly string[]).includes(requested ?? '')
      ? (requested as Locale)
      : typeof fromHeader === 'string' && fromHeader.startsWith('en') ? 'en' : 'de';
    ctx.state.lang = lang;
    await next();
  };
}

export function translate(messages: Messages, key: string, params: Record<string, unknown> = {}): string {
  const template = messages[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''));
}
