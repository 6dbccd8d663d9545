/**
 * The three trust levels of SPEC LOA-01, lowest first. The `acr` URIs are configurable; the
 * defaults follow the eIDAS/TR-03130 level-of-assurance URIs so that relying parties already
 * speaking the BSI vocabulary understand them.
 */
export const LEVELS = ['niedrig', 'substanziell', 'hoch'] as const;
export type Level = (typeof LEVELS)[number];

export const DEFAULT_ACR: Readonly<Record<Level, string>> = Object.freeze({
  niedrig: 'http://eidas.europa.eu/LoA/low',
  substanziell: 'http://eidas.europa.eu/LoA/substantial',
  hoch: 'http://eidas.europa.eu/LoA/high',
});

/** Maximum age of each level within a session (BSI TR-03160-1 defaults), in seconds. */
export const DEFAULT_LEVEL_MAX_AGE: Readonly<Record<Level, number>> = Object.freeze({
  niedrig: 12 * 3600,
  substanziell: 2 * 3600,
  hoch: 30 * 60,
});
