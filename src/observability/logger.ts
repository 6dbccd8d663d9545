import pino, { type Logger } from 'pino';

/**
 * JSON logs. Anything that could carry a secret is redacted by path, so a careless log call
 * never writes a password, token or cookie value.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: undefined,
    redact: {
      paths: [
        'password', '*.password', 'req.headers.cookie', 'req.headers.authorization',
        'res.headers["set-cookie"]', '*.token', '*.code', '*.client_secret', '*.refresh_token',
      ],
      censor: '[redacted]',
    },
  });
}

export type { Logger };
