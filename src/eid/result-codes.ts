/**
 * Result URIs of the TR-03130 eID interface (EID.md §1.5) and the few TR-03112 minors that reach
 * the eService through getResult when the citizen's side fails.
 */
export const MAJOR_OK = 'http://www.bsi.bund.de/ecard/api/1.1/resultmajor#ok';
export const MAJOR_ERROR = 'http://www.bsi.bund.de/ecard/api/1.1/resultmajor#error';

const MINOR = 'http://www.bsi.bund.de/eid/server/2.0/resultminor';
export const MINOR_INTERNAL_ERROR = `${MINOR}/common#internalError`;
export const MINOR_NO_RESULT_YET = `${MINOR}/getResult#noResultYet`;
export const MINOR_INVALID_SESSION = `${MINOR}/getResult#invalidSession`;
export const MINOR_INVALID_COUNTER = `${MINOR}/getResult#invalidCounter`;
export const MINOR_INVALID_DOCUMENT = `${MINOR}/getResult#invalidDocument`;

/** TR-03112 minor for a user abort; exact minor from real servers is UNVERIFIED, so we key off the suffix. */
export const MINOR_CANCELLED = 'http://www.bsi.bund.de/ecard/api/1.1/resultminor/sal#cancellationByUser';
/**
 * What the simulator reports for a failed PACE (wrong PIN). TR-03130 names no code for this; the
 * TR-03112 SAL minor is the closest fit (UNVERIFIED for real servers, which may report internalError).
 */
export const MINOR_WRONG_PIN = 'http://www.bsi.bund.de/ecard/api/1.1/resultminor/sal#securityConditionNotSatisfied';

/** Compares by fragment so that vendors using another base path still map correctly. */
export function minorIs(minor: string | undefined, code: string): boolean {
  if (!minor) return false;
  const fragment = code.slice(code.indexOf('#'));
  return minor === code || minor.endsWith(fragment);
}

/** ResultMajor may come as the full URI or, from sloppy servers, as the bare fragment. */
export function majorIsOk(major: string | undefined): boolean {
  return major === MAJOR_OK || major === 'ok' || (major?.endsWith('resultmajor#ok') ?? false);
}
