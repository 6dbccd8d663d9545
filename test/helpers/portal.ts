import type { Citizen, Page } from './citizen.ts';
import { formAction } from './citizen.ts';
import type { TestApp } from './test-app.ts';

/** Registers through the pages and returns the activation link from the real mail. */
export async function registerAccount(t: TestApp, citizen: Citizen, input: { displayName: string; email: string; password: string }, weiter?: string): Promise<string> {
  const form = await citizen.visit(`/registrieren/servicekonto${weiter ? `?weiter=${encodeURIComponent(weiter)}` : ''}`);
  const overview = await citizen.submit(form, '/registrieren/servicekonto', {
    displayName: input.displayName, email: input.email, password: input.password, passwordRepeat: input.password, ...(weiter ? { weiter } : {}),
  });
  if (overview.status !== 200) throw new Error(`registration form refused: ${overview.status}`);
  const draft = /name="draft" value="([^"]+)"/.exec(overview.body)![1]!;
  const done = await citizen.submit(overview, '/registrieren/servicekonto/anlegen', { draft, consent: 'yes' });
  if (!done.url.endsWith('/registrieren/fertig')) throw new Error(`registration not completed: ${done.url}`);
  const mail = await t.mail.waitFor(input.email, /Aktivieren/);
  return mail.links.find((l) => l.includes('/aktivieren?token='))!;
}

/** Opens a Mein Bereich page, signing in on the way when asked. */
export async function openKonto(citizen: Citizen, path: string, credentials: { email: string; password: string }): Promise<Page> {
  let page = await citizen.visit(path);
  if (page.body.includes('name="password"') && page.url.includes('/interaction/')) {
    page = await citizen.submit(page, formAction(page, '/login'), credentials);
  }
  return page;
}

export const decode = (html: string): string => html.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=').replace(/&#x2F;/g, '/');
