import { assertInfrastructure } from './infra.ts';

/** Fails the run at once, with how to fix it, when PostgreSQL or Redis is not reachable. */
export default async function globalSetup(): Promise<void> {
  await assertInfrastructure();
}
