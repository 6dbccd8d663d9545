import { readdirSync, readFileSync } from 'node:fs';
import type { Context, Next } from 'koa';

export const LOCALES = ['de', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export type Messages = Readonly<Record<string, string>>;

/**
 * Loads the flat key→text files of each locale once: every `<dir>/<locale>/*.json`, merged, so
 * each capability keeps its texts in a file of its own. A key defined twice is a mistake.
 */
export function loadMessages(dir: string): Readonly<Record<Locale, Messages>> {
  const read = (locale: Locale) => {
    const merged: Record<string, string> = {};
    for (const file of readdirSync(`${dir}/${locale}`).filter((f) => f.endsWith('.json')).sort()) {
      const messages = JSON.parse(readFileSync(`${dir}/${locale}/${file}`, 'utf8')) as Record<string, string>;
      for (const [key, text] of Object.entries(messages)) {
        if (key in merged) throw new Error(`locale ${locale}: key ${key} defined twice (${file})`);
        merged[key] = text;
      }
    }
    return Object.freeze(merged);
  };
  return Object.freeze({ de: read('de'), en: read('en') });
}

/**
 * German is the product's language whatever the browser prefers; English is chosen with
 * ?lang=en and remembered in a session cookie.
 */
export function localeMiddleware() {
  return async (ctx: Context, next: Next) => {
    const requested = typeof ctx.query.lang === 'string' ? ctx.query.lang : undefined;
    const isLocale = (value: string | undefined): value is Locale => (LOCALES as readonly string[]).includes(value ?? '');
    if (isLocale(requested)) ctx.cookies.set('sk.lang', requested, { httpOnly: true, sameSite: 'lax', signed: false, overwrite: true });
    const stored = ctx.cookies.get('sk.lang');
    ctx.state.lang = isLocale(requested) ? requested : isLocale(stored) ? stored : 'de';
    await next();
  };
}

export function translate(messages: Messages, key: string, params: Record<string, unknown> = {}): string {
  const template = messages[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''));
}
