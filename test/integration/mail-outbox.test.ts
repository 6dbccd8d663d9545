import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { accountRepos } from '../../src/accounts/repos.ts';
import { UnitOfWork } from '../../src/db/unit-of-work.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

describe('mail outbox', () => {
  let t: TestApp;
  let uow: UnitOfWork<ReturnType<typeof accountRepos>>;

  beforeAll(async () => {
    t = await startTestApp('outbox');
    uow = new UnitOfWork(t.app.dataSource, accountRepos);
  });
  afterAll(async () => t.close());

  const unsent = async () => Number((await t.app.dataSource.query('SELECT count(*) AS n FROM mail_outbox WHERE sent_at IS NULL'))[0].n);

  it('ACT-01 a mail written in a rolled-back change is never stored nor sent', async () => {
    await expect(uow.run(async (r) => {
      await r.outbox.add({ recipient: 'rollback@example.org', template: 'account-deleted', params: { displayName: 'X' } }, t.clock.now());
      throw new Error('the change fails after writing its mail');
    })).rejects.toThrow('the change fails');
    expect(Number((await t.app.dataSource.query("SELECT count(*) AS n FROM mail_outbox WHERE recipient = 'rollback@example.org'"))[0].n)).toBe(0);
  });

  it('ACT-01 a committed mail whose dispatch was lost is sent by the sweep exactly once', async () => {
    // Committed, but the process "crashed" before enqueueing it.
    const id = await uow.run((r) => r.outbox.add({ recipient: 'crash@example.org', template: 'account-deleted', params: { displayName: 'Y' } }, new Date(t.clock.now().getTime() - 60_000)));
    expect(await unsent()).toBeGreaterThanOrEqual(1);
    await t.app.jobs.runNow('mail.sweep', {});
    const mail = await t.mail.waitFor('crash@example.org', /gelöscht/);
    expect(mail.text).toContain('Y');
    await t.app.jobs.runNow('mail.send', { outboxId: id });
    await t.app.jobs.runNow('mail.send', { outboxId: id });
    expect(t.mail.to('crash@example.org')).toHaveLength(1);
  });
});
