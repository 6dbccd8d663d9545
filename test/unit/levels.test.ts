import { describe, expect, it } from '@jest/globals';
import { DEFAULT_ACR } from '../../config/trust-levels.ts';
import { AcrMap, atLeast, reachableLevel, sessionLevel } from '../../src/trust/levels.ts';

const acr = new AcrMap(DEFAULT_ACR);

describe('trust levels', () => {
  it('LOA-01 ACC-01 a basic account reaches niedrig, a Plus account substanziell by password and hoch by eID', () => {
    expect(sessionLevel('citizen', 'pwd')).toBe('niedrig');
    expect(sessionLevel('citizen', 'eid')).toBe('niedrig');
    expect(sessionLevel('citizen_plus', 'pwd')).toBe('substanziell');
    expect(sessionLevel('citizen_plus', 'eid')).toBe('hoch');
    expect(reachableLevel('citizen_plus', ['pwd'])).toBe('substanziell');
  });

  it('LOA-01 levels are ordered', () => {
    expect(atLeast('hoch', 'substanziell')).toBe(true);
    expect(atLeast('niedrig', 'substanziell')).toBe(false);
  });

  it('LOA-02 the required level is the highest of client minimum, acr_values and essential acr', () => {
    expect(acr.required('niedrig', [], [])).toBe('niedrig');
    expect(acr.required('substanziell', [DEFAULT_ACR.niedrig], [])).toBe('substanziell');
    expect(acr.required('niedrig', [DEFAULT_ACR.hoch, DEFAULT_ACR.substanziell], [])).toBe('substanziell');
    expect(acr.required('niedrig', [], [DEFAULT_ACR.hoch])).toBe('hoch');
  });

  it('LOA-02 unknown acr values are ignored rather than lowering the requirement', () => {
    expect(acr.required('substanziell', ['urn:unknown'], ['urn:other'])).toBe('substanziell');
    expect(acr.level('urn:unknown')).toBeUndefined();
  });
});

describe('level lifetimes', () => {
  const maxAge = { niedrig: 12 * 3600, substanziell: 2 * 3600, hoch: 30 * 60 };

  it('LOA-01 an eID sign-in counts as hoch for 30 minutes, then as substanziell, then niedrig', async () => {
    const { effectiveLevel } = await import('../../src/oidc/acr-policy.ts');
    expect(effectiveLevel('hoch', 29 * 60, maxAge)).toBe('hoch');
    expect(effectiveLevel('hoch', 31 * 60, maxAge)).toBe('substanziell');
    expect(effectiveLevel('hoch', 3 * 3600, maxAge)).toBe('niedrig');
    expect(effectiveLevel('substanziell', 2 * 3600 + 1, maxAge)).toBe('niedrig');
    expect(effectiveLevel('niedrig', 13 * 3600, maxAge)).toBeUndefined();
  });
});
