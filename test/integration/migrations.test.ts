import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '../helpers/infra.ts';

describe('database migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('migrations');
  });
  afterAll(async () => db.drop());

  it('REG-03 creates the account table with a case-insensitive unique e-mail', async () => {
    await db.dataSource.query(
      `INSERT INTO account (kind, email, display_name, password_hash, status) VALUES ('citizen', 'A@x.de', 'A', 'h', 'active')`,
    );
    await expect(
      db.dataSource.query(
        `INSERT INTO account (kind, email, display_name, password_hash, status) VALUES ('citizen', 'a@X.de', 'B', 'h', 'active')`,
      ),
    ).rejects.toThrow(/unique/i);
  });
});
