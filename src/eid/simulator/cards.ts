/**
 * Test cards of the eID simulator. Data follows the well-known specimens (EID.md §5); each card has
 * its own secret standing in for the chip's SK_ID, so the pseudonym is stable per card and changes
 * with a renewed card, like real Restricted Identification (EID.md §4).
 */
import { createHmac } from 'node:crypto';
import type { EidPlace } from '../eid-service.ts';

export interface CardData {
  DocumentType?: string;
  IssuingState?: string;
  DateOfExpiry?: string;
  GivenNames?: string;
  FamilyNames?: string;
  AcademicTitle?: string;
  /** TR-03130 DateString: YYYYMMDD, unknown parts as spaces. */
  DateOfBirth?: string;
  PlaceOfBirth?: EidPlace;
  Nationality?: string;
  BirthName?: string;
  PlaceOfResidence?: EidPlace;
  ResidencePermitI?: string;
}

export interface TestCard {
  id: string;
  label: string;
  secret: string;
  data: CardData;
  /** The eID-Server rejects the document (getResult#invalidDocument). */
  invalid?: 'expired' | 'revoked';
}

/** The one terminal sector the simulator knows (a real one comes from the authorization certificate). */
export const SIMULATOR_SECTOR = 'servicekonto-simulator-sector-1';

export function restrictedId(card: TestCard, sector = SIMULATOR_SECTOR): string {
  return createHmac('sha256', card.secret).update(sector).digest('hex');
}

const berlin: EidPlace = { kind: 'freetext', text: 'BERLIN' };
const koeln: EidPlace = { kind: 'structured', street: 'HEIDESTRASSE 17', city: 'KÖLN', country: 'D', zipCode: '51147' };
const erika: CardData = {
  DocumentType: 'ID', IssuingState: 'D', DateOfExpiry: '2029-10-31', GivenNames: 'ERIKA', FamilyNames: 'MUSTERMANN',
  DateOfBirth: '19640812', PlaceOfBirth: berlin, Nationality: 'D', BirthName: 'GABLER', PlaceOfResidence: koeln,
};

export const TEST_CARDS: readonly TestCard[] = [
  { id: 'erika', label: 'Erika Mustermann (Personalausweis)', secret: 'sim-card-erika-2019', data: erika },
  {
    id: 'erika-renewed', label: 'Erika Mustermann (neuer Personalausweis)', secret: 'sim-card-erika-2029',
    data: { ...erika, DateOfExpiry: '2039-10-31' },
  },
  {
    // A real card of an under-16 has the eID deactivated; the simulator keeps it active to test age rules.
    id: 'lilly', label: 'Lilly Schuster (minderjährig)', secret: 'sim-card-lilly',
    data: {
      DocumentType: 'ID', IssuingState: 'D', DateOfExpiry: '2030-10-30', GivenNames: 'LILLY', FamilyNames: 'SCHUSTER',
      DateOfBirth: '20150330', PlaceOfBirth: { kind: 'freetext', text: 'MÜHLHAUSEN/THÜRINGEN' }, Nationality: 'D',
      PlaceOfResidence: { kind: 'structured', street: 'MARIENSTRASSE 144', city: 'EISENACH', country: 'D', zipCode: '99817' },
    },
  },
  {
    id: 'abroad', label: 'Karl Hillebrandt (keine Wohnung in Deutschland)', secret: 'sim-card-karl',
    data: {
      DocumentType: 'ID', IssuingState: 'D', DateOfExpiry: '2034-06-30', GivenNames: 'KARL', FamilyNames: 'HILLEBRANDT',
      AcademicTitle: 'DR.HC.', DateOfBirth: '19720617', PlaceOfBirth: { kind: 'freetext', text: 'TRIER' }, Nationality: 'D',
      PlaceOfResidence: { kind: 'none', text: 'keine Wohnung in Deutschland' },
    },
  },
  {
    id: 'expired', label: 'Hildegard Müller (abgelaufen)', secret: 'sim-card-hildegard', invalid: 'expired',
    data: {
      DocumentType: 'ID', IssuingState: 'D', DateOfExpiry: '2024-06-30', GivenNames: 'HILDEGARD', FamilyNames: 'MÜLLER',
      DateOfBirth: '19590204', PlaceOfBirth: { kind: 'freetext', text: 'SAARBRÜCKEN' }, Nationality: 'D',
      PlaceOfResidence: { kind: 'structured', street: 'HARKORTSTR. 58', city: 'DORTMUND', country: 'D', zipCode: '44225' },
    },
  },
  {
    id: 'revoked', label: 'André Mustermann (gesperrt)', secret: 'sim-card-andre', invalid: 'revoked',
    data: {
      DocumentType: 'ID', IssuingState: 'D', DateOfExpiry: '2034-06-30', GivenNames: 'ANDRÉ', FamilyNames: 'MUSTERMANN',
      DateOfBirth: '20010617', PlaceOfBirth: { kind: 'freetext', text: 'FRANKFURT (ODER)' },
      PlaceOfResidence: { kind: 'structured', street: 'EHM-WELK-STRASSE 33', city: 'LÜBBENAU/SPREEWALD', country: 'D', zipCode: '03222' },
    },
  },
  {
    // Electronic residence permit: DG6 unused, nationality of the holder, ResidencePermitI filled.
    id: 'permit', label: 'Maija Meikäläinen (elektronischer Aufenthaltstitel)', secret: 'sim-card-maija',
    data: {
      DocumentType: 'AR', IssuingState: 'D', DateOfExpiry: '2031-04-20', GivenNames: 'MAIJA', FamilyNames: 'MEIKÄLÄINEN',
      DateOfBirth: '19880421', PlaceOfBirth: { kind: 'freetext', text: 'HELSINKI' }, Nationality: 'FIN',
      PlaceOfResidence: { kind: 'structured', street: 'HEIDESTRASSE 17', city: 'KÖLN', country: 'D', zipCode: '51147' },
      ResidencePermitI: 'ERWERBSTÄTIGKEIT GESTATTET',
    },
  },
  {
    // TR-03130-4 EIDCARD_3-like: day of birth unknown, no given names, no address data group (NOTONCHIP).
    id: 'partial', label: '--- Ćosić (Geburtsdatum unvollständig, keine Anschrift)', secret: 'sim-card-cosic',
    data: {
      DocumentType: 'ID', IssuingState: 'D', DateOfExpiry: '2034-06-30', FamilyNames: 'ĆOSIĆ',
      DateOfBirth: '199409  ', PlaceOfBirth: { kind: 'freetext', text: 'PRIŠTINA' }, Nationality: 'D',
    },
  },
];

export function findCard(id: string): TestCard | undefined {
  return TEST_CARDS.find((c) => c.id === id);
}
