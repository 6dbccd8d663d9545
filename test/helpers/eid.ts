import type { Citizen, Page } from './citizen.ts';
import { csrfToken } from './citizen.ts';

export interface CardStep {
  card?: string;
  pin?: string;
  action?: 'identify' | 'cancel';
  /** ALLOWED fields to deselect in the eID client (e.g. RestrictedID = "Pseudonym"). */
  deselect?: string[];
}

/**
 * Presses an eID button on one of our pages, plays the citizen's part in the eID client
 * (the simulator's page on its own origin, like the AusweisApp) and follows the way back.
 */
export async function useEid(citizen: Citizen, from: Page, action: string, step: CardStep = {}): Promise<Page> {
  const handOver = await citizen.request(action, { form: { _csrf: csrfToken(from) } });
  if (!handOver.location) return handOver;
  return useEidFrom(citizen, handOver.location, step);
}

/** Plays the eID client from its hand-over URL on and follows the way back. */
export async function useEidFrom(citizen: Citizen, clientUrl: string, step: CardStep = {}): Promise<Page> {
  const clientPage = await fetch(clientUrl, { redirect: 'manual' });
  const html = await clientPage.text();
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input([^>]*)>/g)) {
    const attr = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1], a[2]]));
    if (attr.type === 'hidden' && attr.name) form.append(attr.name, attr.value ?? '');
    if (attr.type === 'checkbox' && attr.name && !step.deselect?.includes(attr.value ?? '')) form.append(attr.name, attr.value ?? '');
  }
  form.set('card', step.card ?? 'erika');
  form.set('pin', step.pin ?? '123456');
  form.set('action', step.action ?? 'identify');
  const posted = await fetch(new URL('/eID-Client', clientUrl), { method: 'POST', body: form, redirect: 'manual' });
  const back = posted.headers.get('location');
  if (!back) throw new Error(`the eID client did not return: ${posted.status}`);
  return citizen.visit(back);
}
