import { z } from 'zod';
import { DEFAULT_ACR, DEFAULT_LEVEL_MAX_AGE, type Level } from './trust-levels.ts';
import { loadDevSecrets } from './dev-secrets.ts';

const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const optionalUrl = z.url().optional();

/** The loopback interface: localhost, ::1 and all of 127.0.0.0/8 (two Länder on one machine need two hosts). */
export const isLoopbackHost = (hostname: string): boolean => hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);

/** Same rule as a federation member's issuer: the list decides who may sign citizens in. */
const listUrl = z.url().refine((value) => {
  const url = URL.parse(value);
  return !!url && (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname)));
}, 'must be an https URL (http only on loopback: 127.x.x.x, localhost)');

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  ISSUER: z.url().optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: optionalUrl,
  DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]*$/).default('public'),
  REDIS_URL: optionalUrl,
  REDIS_PREFIX: z.string().default('sk:'),
  SMTP_URL: optionalUrl,
  MAIL_FROM: z.string().default('Servicekonto <no-reply@servicekonto.localhost>'),
  CONTACT_EMAIL: z.email().default('kundenservice@servicekonto.localhost'),
  COOKIE_KEYS: z.string().optional(),
  KEY_ENCRYPTION_SECRET: z.string().min(32).optional(),
  TRUST_PROXY: z.stringbool().default(false),
  DATA_DIR: z.string().default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ACR_NIEDRIG: z.string().min(1).default(DEFAULT_ACR.niedrig),
  ACR_SUBSTANZIELL: z.string().min(1).default(DEFAULT_ACR.substanziell),
  ACR_HOCH: z.string().min(1).default(DEFAULT_ACR.hoch),
  SESSION_IDLE_SECONDS: seconds(20 * 60),
  SESSION_MAX_SECONDS: seconds(12 * 3600),
  ACCESS_TOKEN_TTL: seconds(10 * 60),
  ID_TOKEN_TTL: seconds(10 * 60),
  REFRESH_TOKEN_TTL: seconds(14 * 24 * 3600),
  AUTH_CODE_TTL: seconds(60),
  ARGON2_MEMORY_KIB: seconds(19 * 1024),
  ARGON2_TIME_COST: seconds(2),
  ARGON2_PARALLELISM: seconds(1),
  EID_MODE: z.enum(['simulator', 'server']).optional(),
  EID_SERVER_URL: optionalUrl,
  EID_TLS_CERT: z.string().optional(),
  EID_TLS_KEY: z.string().optional(),
  EID_TLS_CA: z.string().optional(),
  EID_SIGN_CERT: z.string().optional(),
  EID_SIGN_KEY: z.string().optional(),
  METRICS_TOKEN: z.string().min(16).optional(),
  DEMO: z.stringbool().optional(),
  DEMO_RP_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  DEMO_FEDERATION: z.stringbool().default(false),
  DEMO_LAND_PORT: z.coerce.number().int().min(0).max(65535).default(3002),
  /** Set by the demo for its child process playing the home Land: whose partner it is, and the shared secret. */
  DEMO_PARTNER_OF: optionalUrl,
  DEMO_PARTNER_SECRET: z.string().min(32).optional(),
  FEDERATION_LIST_URL: listUrl.optional(),
  FEDERATION_LIST_KEY: z.string().trim().min(1).optional(),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  readonly env: Env['NODE_ENV'];
  readonly production: boolean;
  readonly issuer: string;
  readonly host: string;
  readonly port: number;
  readonly trustProxy: boolean;
  readonly dataDir: string;
  readonly logLevel: Env['LOG_LEVEL'];
  readonly database: { readonly url?: string; readonly schema: string };
  readonly redis?: { readonly url: string; readonly prefix: string };
  readonly smtp: { readonly url?: string; readonly from: string };
  /** Where the contact form is sent (CON-01). */
  readonly contactEmail: string;
  readonly cookieKeys: readonly string[];
  readonly keyEncryptionSecret: string;
  readonly acr: Readonly<Record<Level, string>>;
  readonly levelMaxAge: Readonly<Record<Level, number>>;
  readonly ttl: {
    readonly sessionIdle: number;
    readonly sessionMax: number;
    readonly accessToken: number;
    readonly idToken: number;
    readonly refreshToken: number;
    readonly authorizationCode: number;
  };
  readonly argon2: { readonly memoryCost: number; readonly timeCost: number; readonly parallelism: number };
  readonly demo: {
    readonly enabled: boolean; readonly rpPort: number; readonly federation: boolean; readonly landPort: number;
    readonly partner?: { readonly of: string; readonly secret: string };
  };
  /** When set, /metrics answers only requests with `Authorization: Bearer <token>`. */
  readonly metricsToken?: string;
  /** EID-09: a TR-03130 eID-Server, or the simulator (never in production). */
  readonly eid: {
    readonly mode: 'simulator' | 'server';
    readonly serverUrl?: string;
    readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly caFile?: string };
    readonly signing?: { readonly certFile: string; readonly keyFile: string };
  };
  /** FED-05: the signed member list and the federation's public key (JWK JSON or SPKI PEM). */
  readonly federationList?: { readonly url: string; readonly key: string };
}

export class ConfigError extends Error {}

/** Parses the environment once into a frozen Config; a wrong value names the variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  const production = env.NODE_ENV === 'production';
  if (production) requireInProduction(env);
  const secrets = production
    ? { cookieKeys: env.COOKIE_KEYS!, keyEncryptionSecret: env.KEY_ENCRYPTION_SECRET! }
    : loadDevSecrets(env.DATA_DIR, env.COOKIE_KEYS, env.KEY_ENCRYPTION_SECRET);
  const issuer = (env.ISSUER ?? `http://localhost:${env.PORT}`).replace(/\/$/, '');
  const federationList = federationListOf(env);

  return deepFreeze({
    env: env.NODE_ENV,
    production,
    issuer,
    host: env.HOST,
    port: env.PORT,
    trustProxy: env.TRUST_PROXY,
    dataDir: env.DATA_DIR,
    logLevel: env.LOG_LEVEL,
    database: { url: env.DATABASE_URL, schema: env.DATABASE_SCHEMA },
    redis: env.REDIS_URL ? { url: env.REDIS_URL, prefix: env.REDIS_PREFIX } : undefined,
    smtp: { url: env.SMTP_URL, from: env.MAIL_FROM },
    contactEmail: env.CONTACT_EMAIL,
    cookieKeys: secrets.cookieKeys.split(',').map((k) => k.trim()).filter(Boolean),
    keyEncryptionSecret: secrets.keyEncryptionSecret,
    acr: { niedrig: env.ACR_NIEDRIG, substanziell: env.ACR_SUBSTANZIELL, hoch: env.ACR_HOCH },
    levelMaxAge: { ...DEFAULT_LEVEL_MAX_AGE },
    ttl: {
      sessionIdle: env.SESSION_IDLE_SECONDS,
      sessionMax: env.SESSION_MAX_SECONDS,
      accessToken: env.ACCESS_TOKEN_TTL,
      idToken: env.ID_TOKEN_TTL,
      refreshToken: env.REFRESH_TOKEN_TTL,
      authorizationCode: env.AUTH_CODE_TTL,
    },
    argon2: {
      memoryCost: env.ARGON2_MEMORY_KIB,
      timeCost: env.ARGON2_TIME_COST,
      parallelism: env.ARGON2_PARALLELISM,
    },
    demo: { enabled: env.DEMO ?? !production, rpPort: env.DEMO_RP_PORT, federation: env.DEMO_FEDERATION, landPort: env.DEMO_LAND_PORT,
      partner: env.DEMO_PARTNER_OF && env.DEMO_PARTNER_SECRET ? { of: env.DEMO_PARTNER_OF, secret: env.DEMO_PARTNER_SECRET } : undefined },
    metricsToken: env.METRICS_TOKEN,
    eid: {
      mode: env.EID_MODE ?? (production ? 'server' : 'simulator'),
      serverUrl: env.EID_SERVER_URL,
      tls: env.EID_TLS_CERT && env.EID_TLS_KEY ? { certFile: env.EID_TLS_CERT, keyFile: env.EID_TLS_KEY, caFile: env.EID_TLS_CA } : undefined,
      signing: env.EID_SIGN_CERT && env.EID_SIGN_KEY ? { certFile: env.EID_SIGN_CERT, keyFile: env.EID_SIGN_KEY } : undefined,
    },
    federationList,
  });
}

/**
 * Checks only the shape of the key; the signature algorithm is chosen per document. A private
 * or symmetric key is refused: it does not belong in configuration, and HMAC would let anyone
 * holding the "public" value forge a list.
 */
function federationListOf(env: Env): Config['federationList'] {
  const { FEDERATION_LIST_URL: url, FEDERATION_LIST_KEY: key } = env;
  if (!url) return undefined;
  if (!key) throw new ConfigError('FEDERATION_LIST_KEY is required when FEDERATION_LIST_URL is set (the federation\'s public key, JWK JSON or SPKI PEM)');
  if (key.startsWith('{')) {
    let jwk: Record<string, unknown>;
    try {
      jwk = JSON.parse(key) as Record<string, unknown>;
    } catch {
      throw new ConfigError('FEDERATION_LIST_KEY: not valid JWK JSON');
    }
    if (!['EC', 'RSA', 'OKP'].includes(String(jwk.kty))) throw new ConfigError('FEDERATION_LIST_KEY: kty must be EC, RSA or OKP');
    if (['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'].some((member) => member in jwk)) throw new ConfigError('FEDERATION_LIST_KEY: must be a public key, not a private one');
  } else if (!/^-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----$/.test(key)) {
    throw new ConfigError('FEDERATION_LIST_KEY: must be a JWK JSON object or a PEM "BEGIN PUBLIC KEY" block');
  }
  return { url, key };
}

function requireInProduction(env: Env): void {
  const required = ['ISSUER', 'DATABASE_URL', 'REDIS_URL', 'SMTP_URL', 'COOKIE_KEYS', 'KEY_ENCRYPTION_SECRET'] as const;
  const missing = required.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new ConfigError(`Missing required configuration in production: ${missing.join(', ')}`);
  }
  if (!env.ISSUER!.startsWith('https://')) throw new ConfigError('ISSUER must use https:// in production');
  if (env.COOKIE_KEYS!.split(',').some((k) => k.trim().length < 32)) {
    throw new ConfigError('COOKIE_KEYS: every key must be at least 32 characters');
  }
  if (env.DEMO) throw new ConfigError('DEMO: demo data is refused when NODE_ENV=production');
  if (env.DEMO_FEDERATION || env.DEMO_PARTNER_OF) throw new ConfigError('DEMO_FEDERATION: the demo Land is refused when NODE_ENV=production');
  if (env.EID_MODE === 'simulator') throw new ConfigError('EID_MODE: the eID simulator is refused when NODE_ENV=production');
  if (!env.EID_SERVER_URL) throw new ConfigError('Missing required configuration in production: EID_SERVER_URL');
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
