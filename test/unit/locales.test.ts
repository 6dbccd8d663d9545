import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadMessages } from '../../src/http/i18n.ts';

const root = new URL('../../', import.meta.url).pathname;
const messages = loadMessages(join(root, 'interactions/locales'));

function files(dir: string, suffix: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith(suffix)).map((f) => join(dir, f));
}

describe('locale files', () => {
  it('German and English define the same keys', () => {
    expect(Object.keys(messages.en).sort()).toEqual(Object.keys(messages.de).sort());
  });

  it('every text key a view or route uses exists', () => {
    const used = new Set<string>();
    for (const file of files(join(root, 'interactions/views'), '.hbs')) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\{\{t "([^"]+)"/g)) used.add(m[1]!);
    }
    for (const file of [...files(join(root, 'interactions'), '.ts'), ...files(join(root, 'src'), '.ts')].filter((f) => !f.includes('/audit/'))) {
      // Audit event types look like text keys (`contact.sent`) but are not shown to anyone.
      const code = readFileSync(file, 'utf8').split('\n').filter((line) => !/\btype: '/.test(line)).join('\n');
      for (const m of code.matchAll(/'((?:title|level|claim|konto|register|login|error|validation|contact|reset|activation)\.[a-z_.]+)'/g)) used.add(m[1]!);
    }
    const missing = [...used].filter((key) => !(key in messages.de) && !key.endsWith('.'));
    expect(missing).toEqual([]);
  });
});
