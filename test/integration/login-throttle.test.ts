import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LoginThrottle } from '../../src/accounts/login-throttle.ts';
import { ManualClock } from '../../src/clock.ts';
import { DbKvStore } from '../../src/kv/kv.repository.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/infra.ts';

describe('login throttle', () => {
  let db: TestDatabase;
  const clock = new ManualClock();
  let throttle: LoginThrottle;

  beforeAll(async () => {
    db = await createTestDatabase('throttle');
    throttle = new LoginThrottle(new DbKvStore(db.dataSource, clock));
  });
  afterAll(async () => db.drop());

  const fail = async (email: string, ip: string) => {
    const admission = await throttle.admit(email, ip);
    if (admission.admitted) await admission.release(false);
    return admission;
  };

  it('LOGIN-04 locks an account after five failures, and each further lock-out doubles the wait', async () => {
    for (let i = 0; i < 5; i++) expect((await fail('opfer@example.org', `198.51.100.${i}`)).admitted).toBe(true);
    const first = await fail('opfer@example.org', '198.51.100.9');
    expect(first).toMatchObject({ admitted: false, retryAfterSeconds: 15 * 60 });
    clock.advance(15 * 60 * 1000 + 1000);
    for (let i = 0; i < 5; i++) expect((await fail('opfer@example.org', `198.51.100.${20 + i}`)).admitted).toBe(true);
    expect(await fail('opfer@example.org', '198.51.100.30')).toMatchObject({ admitted: false, retryAfterSeconds: 30 * 60 });
  });

  it('LOGIN-04 a success clears the account\'s failures', async () => {
    for (let i = 0; i < 4; i++) await fail('gut@example.org', '203.0.113.1');
    const ok = await throttle.admit('gut@example.org', '203.0.113.1');
    expect(ok.admitted).toBe(true);
    if (ok.admitted) await ok.release(true);
    for (let i = 0; i < 5; i++) expect((await fail('gut@example.org', '203.0.113.2')).admitted).toBe(true);
  });

  it('LOGIN-04 limits one client address across many accounts', async () => {
    const results = [];
    for (let i = 0; i < 31; i++) results.push(await fail(`konto${i}@example.org`, '192.0.2.77'));
    expect(results.slice(0, 30).every((r) => r.admitted)).toBe(true);
    expect(results[30]).toMatchObject({ admitted: false });
  });
});
