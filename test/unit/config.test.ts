import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../config/index.ts';

const production = {
  NODE_ENV: 'production',
  ISSUER: 'https://id.servicekonto.example',
  DATABASE_URL: 'postgres://db.example/sk',
  REDIS_URL: 'redis://redis.example:6379',
  SMTP_URL: 'smtp://mail.example:25',
  COOKIE_KEYS: 'a'.repeat(32),
  KEY_ENCRYPTION_SECRET: 'b'.repeat(32),
  EID_SERVER_URL: 'https://eid-server.example/eIDService',
};

describe('configuration', () => {
  it('LOA-01 defaults the three acr values and freezes the result', () => {
    const config = loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'cfg-')) });
    expect(config.acr).toEqual({
      niedrig: 'http://eidas.europa.eu/LoA/low',
      substanziell: 'http://eidas.europa.eu/LoA/substantial',
      hoch: 'http://eidas.europa.eu/LoA/high',
    });
    expect(config.ttl.sessionIdle).toBe(20 * 60);
    expect(Object.isFrozen(config.acr)).toBe(true);
    expect(config.demo.enabled).toBe(true);
  });

  it('generates development secrets once and keeps them under the data directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    expect(loadConfig({ DATA_DIR: dir }).cookieKeys).toEqual(loadConfig({ DATA_DIR: dir }).cookieKeys);
  });

  it('accepts a complete production configuration without demo data', () => {
    const config = loadConfig(production);
    expect(config.production).toBe(true);
    expect(config.demo.enabled).toBe(false);
  });

  it('EID-09 refuses the eID simulator in production', () => {
    expect(() => loadConfig({ ...production, EID_MODE: 'simulator' })).toThrow(/simulator is refused/);
    expect(loadConfig(production).eid.mode).toBe('server');
    expect(loadConfig({ DATA_DIR: '/tmp/cfg-eid' }).eid.mode).toBe('simulator');
  });

  it.each(['ISSUER', 'DATABASE_URL', 'REDIS_URL', 'SMTP_URL', 'COOKIE_KEYS', 'KEY_ENCRYPTION_SECRET', 'EID_SERVER_URL'])(
    'refuses to start in production without %s and names it', (name) => {
      const env: Record<string, string> = { ...production };
      delete env[name];
      expect(() => loadConfig(env)).toThrow(new RegExp(name));
    },
  );

  it('refuses a plain-http issuer, short cookie keys and demo data in production', () => {
    expect(() => loadConfig({ ...production, ISSUER: 'http://id.example' })).toThrow(/ISSUER/);
    expect(() => loadConfig({ ...production, COOKIE_KEYS: 'short' })).toThrow(/COOKIE_KEYS/);
    expect(() => loadConfig({ ...production, DEMO: 'true' })).toThrow(ConfigError);
  });

  it('names the variable of a malformed value', () => {
    expect(() => loadConfig({ PORT: 'achtzig' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'not a url' })).toThrow(/DATABASE_URL/);
  });
});
