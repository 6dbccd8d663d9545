import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import type { Context } from 'koa';
import { translate, type Locale, type Messages } from '../src/http/i18n.ts';

export type ViewData = Record<string, unknown>;

/**
 * Compiles every view once at start-up. Pages render inside `layout.hbs`; `{{t "key"}}`
 * looks up the request's locale so templates carry no German or English text themselves.
 */
export class Renderer {
  private readonly views = new Map<string, Handlebars.TemplateDelegate>();
  private readonly layout: Handlebars.TemplateDelegate;
  private readonly hbs = Handlebars.create();
  private readonly messages: Readonly<Record<Locale, Messages>>;
  private readonly defaults: ViewData;

  constructor(viewsDir: string, messages: Readonly<Record<Locale, Messages>>, defaults: ViewData = {}) {
    this.messages = messages;
    this.defaults = defaults;
    this.hbs.registerHelper('t', function (this: ViewData, key: string, options: Handlebars.HelperOptions) {
      const root = options.data?.root as ViewData | undefined;
      const lang = (root?.lang as Locale | undefined) ?? 'de';
      return translate(messages[lang], key, options.hash as Record<string, unknown>);
    });
    this.hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    // For values placed inside a query string (e.g. ?weiter=…).
    this.hbs.registerHelper('encode', (value: unknown) => encodeURIComponent(String(value ?? '')));
    const partialsDir = join(viewsDir, 'partials');
    for (const file of readdirSync(partialsDir).filter((f) => f.endsWith('.hbs'))) {
      this.hbs.registerPartial(basename(file, '.hbs'), readFileSync(join(partialsDir, file), 'utf8'));
    }
    for (const file of readdirSync(viewsDir).filter((f) => f.endsWith('.hbs'))) {
      this.views.set(basename(file, '.hbs'), this.hbs.compile(readFileSync(join(viewsDir, file), 'utf8'), { strict: false }));
    }
    const layout = this.views.get('layout');
    if (!layout) throw new Error(`layout.hbs missing in ${viewsDir}`);
    this.layout = layout;
  }

  /** Renders a full page into ctx.body with status (default 200). */
  render(ctx: Context, view: string, data: ViewData = {}, status = 200): void {
    const template = this.views.get(view);
    if (!template) throw new Error(`Unknown view ${view}`);
    const lang = (ctx.state.lang as Locale | undefined) ?? 'de';
    const root: ViewData = {
      ...this.defaults,
      lang,
      csrfToken: ctx.state.csrfToken,
      user: ctx.state.user,
      requestId: ctx.state.requestId,
      ...data,
    };
    const body = template(root);
    const title = typeof data.title === 'string' ? translate(this.messages[lang], data.title, data) : undefined;
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = this.layout({ ...root, title, body });
  }

  text(ctx: Context, key: string, params: Record<string, unknown> = {}): string {
    const lang = (ctx.state.lang as Locale | undefined) ?? 'de';
    return translate(this.messages[lang], key, params);
  }
}
