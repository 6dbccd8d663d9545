import type { DataSource, EntityManager } from 'typeorm';

/** What a repository needs: the DataSource itself, or a transaction's EntityManager. */
export type Db = Pick<DataSource | EntityManager, 'getRepository' | 'query'>;

/**
 * Runs a multi-step change in one transaction (non-negotiable 5: nothing half-written).
 * `makeRepos` builds the repositories bound to the transaction, so services stay free of
 * TypeORM and simply receive a bundle of repositories.
 */
export class UnitOfWork<R> {
  private readonly dataSource: DataSource;
  private readonly makeRepos: (db: Db) => R;

  constructor(dataSource: DataSource, makeRepos: (db: Db) => R) {
    this.dataSource = dataSource;
    this.makeRepos = makeRepos;
  }

  run<T>(work: (repos: R) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) => work(this.makeRepos(manager)));
  }
}

/**
 * Runs an UPDATE/DELETE … RETURNING and yields its rows. TypeORM's postgres driver returns
 * `[rows, count]` for those statements; wrapped in a CTE the statement is a SELECT.
 */
export function queryReturning<T>(db: Db, sql: string, params: unknown[]): Promise<T[]> {
  return db.query(`WITH changed AS (${sql}) SELECT * FROM changed`, params) as Promise<T[]>;
}
