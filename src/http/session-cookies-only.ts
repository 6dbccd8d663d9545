import type { ServerResponse } from 'node:http';

/**
 * SESS-03: only browser-session cookies. oidc-provider gives its interaction and resume
 * cookies an Expires matching their server-side lifetime; the server already enforces that
 * lifetime, so the attribute is dropped and the browser forgets the cookie when it closes.
 * Deletions (an Expires in the past) pass unchanged.
 */
export function withSessionCookiesOnly(res: ServerResponse): void {
  const setHeader = res.setHeader.bind(res);
  res.setHeader = (name: string, value: number | string | readonly string[]) => {
    if (name.toLowerCase() !== 'set-cookie') return setHeader(name, value);
    const cookies = (Array.isArray(value) ? value : [String(value)]) as string[];
    return setHeader(name, cookies.map(stripPersistence));
  };
}

function stripPersistence(cookie: string): string {
  const expires = /;\s*expires=([^;]+)/i.exec(cookie);
  if (expires && Date.parse(expires[1]!) <= Date.now()) return cookie;
  return cookie.replace(/;\s*expires=[^;]+/i, '').replace(/;\s*max-age=[^;]+/i, '');
}
