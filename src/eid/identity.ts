import type { EidAddress, EidIdentity } from '../../entities/account.entity.ts';
import type { EidField, EidNeed, EidPerson, EidPlace } from './eid-service.ts';

/** What the provider asks the card for, per purpose (EID-01..07). */
export type EidPurpose = 'register' | 'upgrade' | 'sync' | 'signin';

const IDENTITY_FIELDS: Partial<Record<EidField, EidNeed>> = {
  DocumentType: 'REQUIRED', IssuingState: 'REQUIRED', DateOfExpiry: 'REQUIRED',
  GivenNames: 'REQUIRED', FamilyNames: 'REQUIRED', DateOfBirth: 'REQUIRED', PlaceOfBirth: 'REQUIRED',
  // EID-01: address and birth date come only from the eID; title, birth name and nationality are not on every card.
  PlaceOfResidence: 'REQUIRED', BirthName: 'ALLOWED', AcademicTitle: 'ALLOWED', Nationality: 'ALLOWED',
  // EID-03: the pseudonym is optional here; transferring it enables eID sign-in.
  RestrictedID: 'ALLOWED',
};

export function fieldsFor(purpose: EidPurpose): Partial<Record<EidField, EidNeed>> {
  // EID-03: in the eID sign-in itself the pseudonym is mandatory and nothing else is read.
  return purpose === 'signin' ? { RestrictedID: 'REQUIRED' } : IDENTITY_FIELDS;
}

function placeText(place: EidPlace | undefined): string | null {
  if (!place) return null;
  if (place.kind === 'structured') return place.city;
  return place.text;
}

function address(place: EidPlace | undefined): EidAddress | null {
  if (!place) return null;
  if (place.kind === 'structured') {
    return { street: place.street, zipCode: place.zipCode, city: place.city, country: place.country };
  }
  return { text: place.text };
}

/** Maps the card's data to the account's locked fields (PROF-02). */
export function identityFrom(person: EidPerson, at: Date): EidIdentity {
  return {
    academicTitle: person.academicTitle ?? null,
    givenNames: person.givenNames ?? null,
    familyName: person.familyNames ?? null,
    birthName: person.birthName ?? null,
    birthDate: person.dateOfBirth ?? null,
    placeOfBirth: placeText(person.placeOfBirth),
    address: address(person.placeOfResidence),
    nationality: person.nationality ?? null,
    documentType: person.documentType ?? null,
    verifiedAt: at,
  };
}

/**
 * TR-03160-1 §4.5: a renewed card has a new pseudonym; it may be bound to the account when
 * the other identity data match what the account holds.
 */
export function sameIdentity(a: EidIdentity, b: EidIdentity): boolean {
  const norm = (v: string | null) => (v ?? '').trim().toUpperCase();
  return norm(a.givenNames) === norm(b.givenNames) && norm(a.familyName) === norm(b.familyName)
    && norm(a.birthName) === norm(b.birthName) && norm(a.birthDate) === norm(b.birthDate)
    && norm(a.placeOfBirth) === norm(b.placeOfBirth);
}

/** OIDC `birthdate` from a TR-03130 DateString: full date, or only the year when parts are unknown. */
export function oidcBirthdate(dateString: string | null): string | undefined {
  if (!dateString || !/^\d{4}/.test(dateString)) return undefined;
  return /^\d{8}$/.test(dateString) ? `${dateString.slice(0, 4)}-${dateString.slice(4, 6)}-${dateString.slice(6, 8)}` : dateString.slice(0, 4);
}

/** Display name for a new Plus account: the card's names, as written on it. */
export function displayNameFrom(identity: EidIdentity): string {
  const title = (s: string | null) => (s ?? '').toLowerCase().replace(/(^|[\s-])\p{L}/gu, (m) => m.toUpperCase());
  return [title(identity.givenNames), title(identity.familyName)].filter(Boolean).join(' ');
}

/** An eID address on one line (or lines): street, then postcode and town; or the card's text. */
export function addressLine(address: EidAddress | null | undefined, separator = ', '): string | null {
  if (!address) return null;
  if (address.text) return address.text;
  return [address.street, [address.zipCode, address.city].filter(Boolean).join(' ')].filter(Boolean).join(separator) || null;
}

/** A TR-03130 DateString as shown to citizens: DD.MM.YYYY, unknown parts as "–". */
export function germanDate(dateString: string | null): string | null {
  if (!dateString) return null;
  return `${dateString.slice(6, 8).trim() || '–'}.${dateString.slice(4, 6).trim() || '–'}.${dateString.slice(0, 4)}`;
}
