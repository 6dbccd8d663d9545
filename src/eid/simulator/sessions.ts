/**
 * The simulated eID-Server's session state and its SOAP operations. Behaviour follows TR-03130:
 * useID once per session, getResult answers noResultYet until the citizen finished, then the result
 * once; afterwards the session is gone (invalidSession), and a non-increasing counter is refused.
 */
import { randomBytes } from 'node:crypto';
import type { EidPlace } from '../eid-service.ts';
import {
  MAJOR_ERROR, MAJOR_OK, MINOR_INVALID_COUNTER, MINOR_INVALID_SESSION, MINOR_NO_RESULT_YET,
} from '../result-codes.ts';
import { USE_OPERATIONS } from '../soap-eid-service.ts';
import { restrictedId, type CardData, type TestCard } from './cards.ts';

export type Need = 'REQUIRED' | 'ALLOWED';

export type Outcome =
  | { ok: true; card: TestCard; selected: ReadonlySet<string> }
  | { ok: false; minor: string; message?: string };

export interface SimSession {
  id: string;
  pskId: string;
  pskKey: string;
  ops: Partial<Record<string, Need>>;
  transactionInfo?: string;
  lastCounter: number;
  refreshAddress?: string;
  outcome?: Outcome;
}

type Args = Record<string, unknown>;

function record(value: unknown): Args {
  return value !== null && typeof value === 'object' ? (value as Args) : {};
}

function dssResult(major: string, minor?: string, message?: string): object {
  return {
    'dss:ResultMajor': major,
    ...(minor ? { 'dss:ResultMinor': minor } : {}),
    ...(message ? { 'dss:ResultMessage': { attributes: { 'xml:lang': 'en' }, $value: message } } : {}),
  };
}

function placeXml(place: EidPlace): object {
  if (place.kind === 'freetext') return { FreetextPlace: place.text };
  if (place.kind === 'none') return { NoPlaceInfo: place.text };
  const { street, city, state, country, zipCode } = place;
  return {
    StructuredPlace: {
      ...(street ? { Street: street } : {}), City: city, ...(state ? { State: state } : {}), Country: country,
      ...(zipCode ? { ZipCode: zipCode } : {}),
    },
  };
}

/** Value of one data group for PersonalData, or undefined when the card lacks it (NOTONCHIP). */
function dataGroup(card: TestCard, name: string): unknown {
  if (name === 'RestrictedID') return { ID: restrictedId(card) };
  const value = card.data[name as keyof CardData];
  if (value === undefined) return undefined;
  if (name === 'DateOfBirth' && typeof value === 'string') {
    // DateValue only when the date is complete (EID.md §1.2).
    const complete = /^\d{8}$/.test(value);
    return { DateString: value, ...(complete ? { DateValue: `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6)}` } : {}) };
  }
  return typeof value === 'string' ? value : placeXml(value);
}

export class SimSessions {
  private readonly byId = new Map<string, SimSession>();
  private readonly byPskId = new Map<string, SimSession>();
  private readonly eCardServerAddress: () => string;

  constructor(eCardServerAddress: () => string) {
    this.eCardServerAddress = eCardServerAddress;
  }

  findByPskId(pskId: string): SimSession | undefined {
    return this.byPskId.get(pskId);
  }

  useID(args: Args): object {
    const ops: SimSession['ops'] = {};
    const requested = record(args['UseOperations']);
    for (const name of USE_OPERATIONS) {
      const v = requested[name];
      if (v === 'REQUIRED' || v === 'ALLOWED') ops[name] = v;
    }
    const psk = record(args['PSK']);
    const pskId = typeof psk['ID'] === 'string' ? psk['ID'] : randomBytes(16).toString('hex');
    const pskKey = typeof psk['Key'] === 'string' ? psk['Key'].toLowerCase() : randomBytes(32).toString('hex');
    if (pskId.length < 16 || !/^([0-9a-f]{2}){16,}$/.test(pskKey)) {
      return { 'dss:Result': dssResult(MAJOR_ERROR, 'http://www.bsi.bund.de/eid/server/2.0/resultminor/useID#invalidPSK') };
    }
    const session: SimSession = { id: randomBytes(32).toString('hex'), pskId, pskKey, ops, lastCounter: 0 };
    if (typeof args['TransactionInfo'] === 'string') session.transactionInfo = args['TransactionInfo'];
    this.byId.set(session.id, session);
    this.byPskId.set(pskId, session);
    return {
      Session: { ID: session.id },
      eCardServerAddress: this.eCardServerAddress(),
      PSK: { ID: pskId, Key: pskKey },
      'dss:Result': dssResult(MAJOR_OK),
    };
  }

  private forget(session: SimSession): void {
    this.byId.delete(session.id);
    this.byPskId.delete(session.pskId);
  }

  getResult(args: Args): object {
    const id = record(args['Session'])['ID'];
    const session = typeof id === 'string' ? this.byId.get(id.toLowerCase()) : undefined;
    if (!session) return { 'dss:Result': dssResult(MAJOR_ERROR, MINOR_INVALID_SESSION) };
    const counter = Number(args['RequestCounter']);
    if (!Number.isInteger(counter) || counter <= session.lastCounter) {
      return { 'dss:Result': dssResult(MAJOR_ERROR, MINOR_INVALID_COUNTER) };
    }
    session.lastCounter = counter;
    const outcome = session.outcome;
    if (!outcome) return { 'dss:Result': dssResult(MAJOR_ERROR, MINOR_NO_RESULT_YET) };
    // Any final answer ends the session: the server deletes the data (TR-03130 §3.2.2).
    this.forget(session);
    if (!outcome.ok) return { 'dss:Result': dssResult(MAJOR_ERROR, outcome.minor, outcome.message) };
    const personalData: Args = {};
    const allowed: Args = {};
    for (const name of USE_OPERATIONS) {
      const need = session.ops[name];
      const value = need ? dataGroup(outcome.card, name) : undefined;
      if (!need || (need === 'ALLOWED' && !outcome.selected.has(name))) allowed[name] = 'PROHIBITED';
      else if (value === undefined) allowed[name] = 'NOTONCHIP';
      else {
        allowed[name] = 'ALLOWED';
        personalData[name] = value;
      }
    }
    return {
      PersonalData: personalData,
      OperationsAllowedByUser: allowed,
      LevelOfAssuranceResult: 'http://bsi.bund.de/eID/LoA/hoch',
      'dss:Result': dssResult(MAJOR_OK),
    };
  }
}
