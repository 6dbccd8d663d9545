import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import type { z } from 'zod';

/** A mistake of the operator (bad option, invalid value, unknown id): one line, exit code 2. */
export class UserError extends Error {}

export function write(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** A plain left-aligned table; empty cells show as "-". */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = [headers, ...rows].map((row) => row.map((cell) => (cell === '' ? '-' : cell)));
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => row[i]?.length ?? 0)));
  const line = (row: readonly string[]) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(cells[0]!), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

/** "redirectUris[0]: Invalid URL; displayName: ..." — every issue names its field. */
export function describeIssues(error: z.ZodError, hint: (field: string) => string = () => ''): string {
  return error.issues
    .map((issue) => {
      const [head, ...rest] = issue.path;
      const field = `${String(head ?? 'value')}${rest.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}`;
      return `${field}${hint(String(head ?? ''))}: ${issue.message}`;
    })
    .join('; ');
}

const PARSE_ERRORS = new Set([
  'ERR_PARSE_ARGS_UNKNOWN_OPTION',
  'ERR_PARSE_ARGS_INVALID_OPTION_VALUE',
  'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL',
]);

/** node:util parseArgs (strict), with its errors turned into user errors. */
export function parseOptions<T extends ParseArgsOptionsConfig>(command: string, args: string[], options: T, positionals = 0) {
  try {
    const parsed = parseArgs({ args, options, strict: true, allowPositionals: positionals > 0, allowNegative: true });
    if (parsed.positionals.length > positionals) {
      throw new UserError(`${command}: unexpected argument '${parsed.positionals[positionals]}'`);
    }
    return parsed;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code && PARSE_ERRORS.has(code)) {
      // Node's message may suggest a fix on a second line; the first line names the option.
      throw new UserError(`${command}: ${(error as Error).message.split('\n')[0]}`);
    }
    throw error;
  }
}

export function required(command: string, value: string | undefined, option: string): string {
  if (value === undefined || value.trim() === '') throw new UserError(`${command}: --${option} is required`);
  return value;
}
