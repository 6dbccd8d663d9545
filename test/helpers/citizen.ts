import { CookieJar } from 'tough-cookie';

export interface Page {
  status: number;
  url: string;
  location?: string;
  body: string;
  headers: Headers;
}

/**
 * A citizen's browser without a browser: a cookie jar, manual redirects and form posts. It
 * follows redirects only within the provider, so the relying party's callback URL (with code
 * or error) is returned to the test instead of being fetched.
 */
export class Citizen {
  readonly jar = new CookieJar();
  private readonly origin: string;
  private readonly follows: ReadonlySet<string>;

  /** `alsoFollow`: further origins whose redirects are followed (another Land's provider). */
  constructor(origin: string, alsoFollow: readonly string[] = []) {
    this.origin = origin;
    this.follows = new Set([origin, ...alsoFollow]);
  }

  private followed(page: Page): boolean {
    return !!page.location && this.follows.has(new URL(page.location).origin);
  }

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Page> {
    const target = new URL(url, this.origin).href;
    const headers: Record<string, string> = { accept: 'text/html', cookie: await this.jar.getCookieString(target) };
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(target, { method: init.method ?? (init.form ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    for (const cookie of res.headers.getSetCookie()) await this.jar.setCookie(cookie, target);
    const location = res.headers.get('location') ?? undefined;
    return { status: res.status, url: target, location: location ? new URL(location, target).href : undefined, body: await res.text(), headers: res.headers };
  }

  /** GET url and follow redirects while they stay on the provider's origin. */
  async visit(url: string): Promise<Page> {
    let page = await this.request(url);
    for (let hops = 0; this.followed(page) && hops < 10; hops++) {
      page = await this.request(page.location!);
    }
    return page;
  }

  /** POST a form (adding the page's CSRF token) and follow redirects on the provider. */
  async submit(from: Page, action: string, form: Record<string, string> = {}): Promise<Page> {
    // Like a browser: a relative form action resolves against the page it is on.
    let page = await this.request(new URL(action, from.url).href, { form: { _csrf: csrfToken(from), ...form } });
    for (let hops = 0; this.followed(page) && hops < 10; hops++) {
      page = await this.request(page.location!);
    }
    return page;
  }
}

export function csrfToken(page: Page): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(page.body);
  if (!match) throw new Error(`no CSRF token on ${page.url} (status ${page.status})`);
  return match[1]!;
}

/** The form action of the page's form whose action ends with the given suffix. */
export function formAction(page: Page, suffix: string): string {
  const actions = [...page.body.matchAll(/<form[^>]*action="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
  const action = actions.find((a) => a.endsWith(suffix));
  if (!action) throw new Error(`no form ending in ${suffix} on ${page.url}: ${actions.join(', ')}`);
  return action;
}
