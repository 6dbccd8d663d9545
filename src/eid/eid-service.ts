/**
 * The eID port (EID-09): the rest of the app asks for identity data and the card's pseudonym
 * and never sees SOAP, TC tokens or simulators. Adapters: a client for a BSI TR-03130
 * eID-Server and the simulator speaking the same interface (refused in production).
 */

/** The TR-03130 data groups this provider asks for (SOAP element names of UseOperations). */
export const EID_FIELDS = [
  'DocumentType', 'IssuingState', 'DateOfExpiry', 'GivenNames', 'FamilyNames', 'AcademicTitle',
  'DateOfBirth', 'PlaceOfBirth', 'Nationality', 'BirthName', 'PlaceOfResidence', 'RestrictedID',
] as const;
export type EidField = (typeof EID_FIELDS)[number];

/** REQUIRED: the user cannot deselect it; ALLOWED: the user may (EID-02, EID-03). */
export type EidNeed = 'REQUIRED' | 'ALLOWED';

export interface EidRequest {
  fields: Partial<Record<EidField, EidNeed>>;
  /** Where the eID client sends the browser back (TC token RefreshAddress). */
  returnUrl: string;
  /** Shown to the citizen by the eID client (TransactionInfo). */
  transactionInfo?: string;
}

export interface EidStart {
  /** The eID-Server session (useID Session/ID), to fetch the result with. */
  sessionId: string;
  /** Where to send the browser: the eID client hand-over (tcTokenURL) or the simulator page. */
  clientUrl: string;
}

export type EidPlace =
  | { kind: 'structured'; street?: string; city: string; state?: string; country: string; zipCode?: string }
  | { kind: 'freetext'; text: string }
  | { kind: 'none'; text: string };

export interface EidPerson {
  documentType?: string;
  issuingState?: string;
  /** YYYY-MM-DD */
  dateOfExpiry?: string;
  givenNames?: string;
  familyNames?: string;
  academicTitle?: string;
  birthName?: string;
  /** YYYYMMDD with unknown parts as spaces (TR-03130 DateString), e.g. "1994 9  " is not valid but "199409  " is. */
  dateOfBirth?: string;
  placeOfBirth?: EidPlace;
  nationality?: string;
  placeOfResidence?: EidPlace;
  /** The service-specific pseudonym (RestrictedID/ID, hex), absent when the citizen deselected it. */
  restrictedId?: string;
}

export type EidFailure = 'cancelled' | 'wrong_pin' | 'card_expired' | 'card_revoked' | 'no_result_yet' | 'invalid_session' | 'error';

export type EidResult =
  | { ok: true; person: EidPerson; allowed: Partial<Record<EidField, 'ALLOWED' | 'PROHIBITED' | 'NOTONCHIP'>> }
  | { ok: false; reason: EidFailure; minor?: string };

export interface EidService {
  start(request: EidRequest): Promise<EidStart>;
  /** Polls getResult until the answer is not `noResultYet` (bounded). */
  result(sessionId: string): Promise<EidResult>;
}
