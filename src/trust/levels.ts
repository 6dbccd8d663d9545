import { LEVELS, type Level } from '../../config/trust-levels.ts';
import type { AccountKind } from '../../entities/account.entity.ts';

export type { Level };
export { LEVELS };

export const rank = (level: Level): number => LEVELS.indexOf(level);
export const atLeast = (have: Level, need: Level): boolean => rank(have) >= rank(need);
export const highest = (levels: Iterable<Level>): Level =>
  [...levels].reduce<Level>((a, b) => (rank(b) > rank(a) ? b : a), 'niedrig');

/** How the user proved who they are in this session (RFC 8176 `amr` values). */
export type AuthMethod = 'pwd' | 'eid';

/**
 * LOA-01: a basic account reaches *niedrig*; a Plus account (identity verified with the eID)
 * reaches *substanziell* with its password and *hoch* only with the eID in this session.
 */
export function sessionLevel(kind: AccountKind, method: AuthMethod): Level {
  if (kind === 'citizen_plus') return method === 'eid' ? 'hoch' : 'substanziell';
  return 'niedrig';
}

/** The best level an account can reach at all, whatever method it uses next. */
export function reachableLevel(kind: AccountKind, methods: readonly AuthMethod[]): Level {
  return highest(methods.map((m) => sessionLevel(kind, m)));
}

export class AcrMap {
  private readonly byLevel: Readonly<Record<Level, string>>;
  private readonly byAcr: ReadonlyMap<string, Level>;

  constructor(acr: Readonly<Record<Level, string>>) {
    this.byLevel = acr;
    this.byAcr = new Map(LEVELS.map((l) => [acr[l], l]));
  }

  acr(level: Level): string {
    return this.byLevel[level];
  }

  level(acr: string | undefined | null): Level | undefined {
    return acr ? this.byAcr.get(acr) : undefined;
  }

  get values(): string[] {
    return LEVELS.map((l) => this.byLevel[l]);
  }

  /**
   * LOA-02: the level a request needs is the highest of the client's minimum, the lowest
   * acceptable `acr_values` entry and the lowest acceptable essential `acr` claim value.
   * Unknown acr values are ignored, as OIDC Core allows for voluntary ones.
   */
  required(minimum: Level, acrValues: readonly string[], essentialAcrs: readonly string[]): Level {
    const lowestKnown = (values: readonly string[]): Level | undefined => {
      const known = values.map((v) => this.level(v)).filter((l): l is Level => l !== undefined);
      return known.length ? known.reduce((a, b) => (rank(b) < rank(a) ? b : a)) : undefined;
    };
    const candidates: Level[] = [minimum];
    const fromValues = lowestKnown(acrValues);
    const fromClaim = lowestKnown(essentialAcrs);
    if (fromValues) candidates.push(fromValues);
    if (fromClaim) candidates.push(fromClaim);
    return highest(candidates);
  }
}
