/**
 * Lenient reader of eID-Server SOAP responses. We parse the raw XML ourselves instead of the soap
 * package's object so that vendor differences do not break us (EID.md §1.2, §7): elements are
 * matched by local name only (dss-qualified or not), unknown elements are ignored, and both
 * LevelOfAssuranceResult and LevelOfAssuranceResponse are accepted.
 */
import { DOMParser, type Element } from '@xmldom/xmldom';
import { EID_FIELDS, type EidFailure, type EidField, type EidPerson, type EidPlace, type EidResult } from './eid-service.ts';
import { MINOR_CANCELLED, MINOR_INVALID_DOCUMENT, MINOR_INVALID_SESSION, MINOR_NO_RESULT_YET, MINOR_WRONG_PIN, majorIsOk, minorIs } from './result-codes.ts';

export interface DssResult { major?: string; minor?: string; message?: string }

export interface UseIdAnswer extends DssResult {
  sessionId?: string;
  eCardServerAddress?: string;
  pskId?: string;
  pskKey?: string;
}

export interface GetResultAnswer extends DssResult {
  person: EidPerson;
  allowed: Partial<Record<EidField, 'ALLOWED' | 'PROHIBITED' | 'NOTONCHIP'>>;
  levelOfAssurance?: string;
}

function elements(parent: Element): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}

function child(parent: Element | undefined, ...names: string[]): Element | undefined {
  return parent ? elements(parent).find((e) => names.includes(e.localName ?? '')) : undefined;
}

function text(el: Element | undefined): string | undefined {
  const t = el?.textContent?.trim();
  return t === undefined || t === '' ? undefined : t;
}

/** Finds the operation's response element anywhere in the envelope (Header/Body layout may vary). */
function findBodyElement(xml: string, localName: string): Element {
  const doc = new DOMParser({ onError: () => undefined }).parseFromString(xml, 'text/xml');
  const found = doc.getElementsByTagNameNS('*', localName)[0];
  if (!found) throw new Error(`eID response without ${localName}`);
  return found;
}

function dssResult(parent: Element): DssResult {
  const result = child(parent, 'Result');
  return {
    major: text(child(result, 'ResultMajor')),
    minor: text(child(result, 'ResultMinor')),
    message: text(child(result, 'ResultMessage')),
  };
}

export function parseUseIdResponse(xml: string): UseIdAnswer {
  const root = findBodyElement(xml, 'useIDResponse');
  const psk = child(root, 'PSK');
  return {
    ...dssResult(root),
    sessionId: text(child(child(root, 'Session'), 'ID')),
    eCardServerAddress: text(child(root, 'eCardServerAddress')),
    pskId: text(child(psk, 'ID')),
    pskKey: text(child(psk, 'Key')),
  };
}

function place(el: Element | undefined): EidPlace | undefined {
  const structured = child(el, 'StructuredPlace');
  if (structured) {
    const p: EidPlace = { kind: 'structured', city: text(child(structured, 'City')) ?? '', country: text(child(structured, 'Country')) ?? '' };
    const street = text(child(structured, 'Street'));
    const state = text(child(structured, 'State'));
    const zipCode = text(child(structured, 'ZipCode'));
    if (street) p.street = street;
    if (state) p.state = state;
    if (zipCode) p.zipCode = zipCode;
    return p;
  }
  const freetext = child(el, 'FreetextPlace');
  if (freetext) return { kind: 'freetext', text: text(freetext) ?? '' };
  const none = child(el, 'NoPlaceInfo');
  if (none) return { kind: 'none', text: text(none) ?? '' };
  return undefined;
}

/** DateString keeps unknown parts as spaces, so it must not be trimmed at the end. */
function dateOfBirth(el: Element | undefined): string | undefined {
  const ds = child(el, 'DateString')?.textContent;
  if (ds !== undefined && ds !== null && ds.trim() !== '') return ds.replace(/[\r\n\t]/g, '').trimStart().padEnd(8, ' ').slice(0, 8);
  const dv = text(child(el, 'DateValue'));
  return dv ? dv.slice(0, 10).replaceAll('-', '') : undefined;
}

function personalData(el: Element | undefined): EidPerson {
  const p: EidPerson = {};
  if (!el) return p;
  const set = <K extends keyof EidPerson>(key: K, value: EidPerson[K] | undefined): void => {
    if (value !== undefined) p[key] = value;
  };
  set('documentType', text(child(el, 'DocumentType')));
  set('issuingState', text(child(el, 'IssuingState')));
  set('dateOfExpiry', text(child(el, 'DateOfExpiry'))?.slice(0, 10));
  set('givenNames', text(child(el, 'GivenNames')));
  set('familyNames', text(child(el, 'FamilyNames')));
  set('academicTitle', text(child(el, 'AcademicTitle')));
  set('birthName', text(child(el, 'BirthName')));
  set('dateOfBirth', dateOfBirth(child(el, 'DateOfBirth')));
  set('placeOfBirth', place(child(el, 'PlaceOfBirth')));
  set('nationality', text(child(el, 'Nationality')));
  set('placeOfResidence', place(child(el, 'PlaceOfResidence')));
  set('restrictedId', text(child(child(el, 'RestrictedID'), 'ID'))?.toLowerCase());
  return p;
}

export function parseGetResultResponse(xml: string): GetResultAnswer {
  const root = findBodyElement(xml, 'getResultResponse');
  const allowed: GetResultAnswer['allowed'] = {};
  const ops = child(root, 'OperationsAllowedByUser');
  for (const field of EID_FIELDS) {
    const v = text(child(ops, field));
    if (v === 'ALLOWED' || v === 'PROHIBITED' || v === 'NOTONCHIP') allowed[field] = v;
  }
  const answer: GetResultAnswer = { ...dssResult(root), person: personalData(child(root, 'PersonalData')), allowed };
  const loa = text(child(root, 'LevelOfAssuranceResult', 'LevelOfAssuranceResponse'));
  if (loa) answer.levelOfAssurance = loa;
  return answer;
}

/** Maps a getResult answer to the port's result; failures are keyed off ResultMinor (EID.md §1.5). */
export function toEidResult(answer: GetResultAnswer): EidResult {
  if (majorIsOk(answer.major)) return { ok: true, person: answer.person, allowed: answer.allowed };
  const fail = (reason: EidFailure): EidResult => (answer.minor ? { ok: false, reason, minor: answer.minor } : { ok: false, reason });
  const { minor, message = '' } = answer;
  if (minorIs(minor, MINOR_CANCELLED)) return fail('cancelled');
  if (minorIs(minor, MINOR_WRONG_PIN)) return fail('wrong_pin');
  if (minorIs(minor, MINOR_INVALID_SESSION)) return fail('invalid_session');
  if (minorIs(minor, MINOR_NO_RESULT_YET)) return fail('no_result_yet');
  if (minorIs(minor, MINOR_INVALID_DOCUMENT)) {
    if (/expired|abgelaufen/i.test(message)) return fail('card_expired');
    if (/revoked|gesperrt|sperrliste|block/i.test(message)) return fail('card_revoked');
  }
  return fail('error');
}
