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
    return this.follow(await this.request(url));
  }

  /** POST a form (adding the page's CSRF token) and follow redirects on the provider. */
  async submit(from: Page, action: string, form: Record<string, string> = {}): Promise<Page> {
    // Like a browser: a relative form action resolves against the page it is on.
    return this.follow(await this.request(new URL(action, from.url).href, { form: { _csrf: csrfToken(from), ...form } }));
  }

  /**
   * Follows redirects on the followed origins, and submits oidc-provider's self-submitting
   * form (shown when a browser switches accounts) as the browser's script would.
   */
  private async follow(first: Page): Promise<Page> {
    let page = first;
    for (let hops = 0; hops < 12; hops++) {
      if (this.followed(page)) {
        page = await this.request(page.location!);
      } else if (page.body.includes('<title>Submitting Callback</title>')) {
        const action = /<form method="post" action="([^"]+)"/.exec(page.body)![1]!.replace(/&amp;/g, '&');
        const inputs = Object.fromEntries([...page.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g)].map((m) => [m[1]!, m[2]!]));
        page = await this.request(new URL(action, page.url).href, { form: inputs });
      } else {
        break;
      }
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
