/**
 * EidService adapter for a BSI TR-03130 eID-Server over SOAP 1.1 (EID-09). Requests are built with
 * the `soap` package from our own WSDL; responses are read from the raw XML by the lenient parser.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createClientAsync, WSSecurityCert, type Client } from 'soap';
import type { KvStore } from '../kv/kv-store.ts';
import type { EidRequest, EidResult, EidService, EidStart } from './eid-service.ts';
import { parseGetResultResponse, parseUseIdResponse, toEidResult, type GetResultAnswer } from './eid-result-parser.ts';
import { majorIsOk, minorIs, MINOR_NO_RESULT_YET } from './result-codes.ts';
import { tcTokenSessionSchema, tcTokenXml } from './tc-token.ts';

export const EID_WSDL_PATH = fileURLToPath(new URL('./wsdl/eid.wsdl', import.meta.url));

/** All 17 UseOperations in schema order; the sequence is order-sensitive (EID.md §1.1). */
export const USE_OPERATIONS = [
  'DocumentType', 'IssuingState', 'DateOfExpiry', 'GivenNames', 'FamilyNames', 'ArtisticName', 'AcademicTitle',
  'DateOfBirth', 'PlaceOfBirth', 'Nationality', 'BirthName', 'PlaceOfResidence', 'CommunityID', 'ResidencePermitI',
  'RestrictedID', 'AgeVerification', 'PlaceVerification',
] as const;

export const LOA_HOCH = 'http://bsi.bund.de/eID/LoA/hoch';

export type EidKv = Pick<KvStore, 'get' | 'set'>;

export interface SoapEidServiceOptions {
  wsdlPath: string;
  /** The eID-Server's SOAP endpoint (operator specific). */
  endpoint: string;
  /** Our URL serving TC tokens; the adapter appends `?ref=<opaque>`. */
  tcTokenBaseUrl: string;
  clientBase?: string;
  kv: EidKv;
  tls?: { certFile: string; keyFile: string; caFile?: string };
  signing?: { certFile: string; keyFile: string; signatureAlgorithm?: string; digestAlgorithm?: string };
  /** Builds the browser hand-over from the TC token URL; the simulator points it at its own page. */
  clientUrl?: (tcTokenUrl: string) => string;
  /** Send our own PSK in useID (the server must echo it). */
  sendPsk?: boolean;
  /** ServerAddress for the TC token when useID returns no eCardServerAddress. */
  eCardServerAddress?: string;
  maxPolls?: number;
  pollDelayMs?: number;
  /** Lifetime of TC token data and request counters. */
  sessionTtlSeconds?: number;
}

type SoapCall = (args: object, options?: object) => Promise<[unknown, string]>;

export class SoapEidService implements EidService {
  private readonly options: SoapEidServiceOptions;
  private readonly buildClientUrl: (tcTokenUrl: string) => string;
  private readonly httpsAgent: Agent | undefined;
  private client: Promise<Client> | undefined;

  constructor(options: SoapEidServiceOptions) {
    this.options = options;
    const base = options.clientBase ?? 'http://127.0.0.1:24727/eID-Client';
    this.buildClientUrl = options.clientUrl ?? ((url) => `${base}?tcTokenURL=${encodeURIComponent(url)}`);
    // TR-03130 §3.5.1: mutual TLS towards the eID-Server.
    this.httpsAgent = options.tls
      ? new Agent({
        cert: readFileSync(options.tls.certFile),
        key: readFileSync(options.tls.keyFile),
        ...(options.tls.caFile ? { ca: readFileSync(options.tls.caFile) } : {}),
      })
      : undefined;
  }

  private async soapClient(): Promise<Client> {
    this.client ??= createClientAsync(this.options.wsdlPath, { endpoint: this.options.endpoint }).then((client) => {
      const signing = this.options.signing;
      if (signing) {
        // TR-03130 §3.5.2: every request carries a WS-Security signature over Body and Timestamp.
        client.setSecurity(new WSSecurityCert(readFileSync(signing.keyFile, 'utf8'), readFileSync(signing.certFile, 'utf8'), '', {
          hasTimeStamp: true,
          signatureAlgorithm: signing.signatureAlgorithm ?? 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
          digestAlgorithm: signing.digestAlgorithm ?? 'http://www.w3.org/2001/04/xmlenc#sha256',
        }));
      }
      return client;
    });
    return this.client;
  }

  private async call(operation: 'useID' | 'getResult', args: object): Promise<string> {
    const client = await this.soapClient();
    const fn = client[`${operation}Async`] as SoapCall;
    const [, raw] = await fn.call(client, args, this.httpsAgent ? { httpsAgent: this.httpsAgent } : {});
    return raw;
  }

  private get ttl(): number {
    return this.options.sessionTtlSeconds ?? 900;
  }

  async start(request: EidRequest): Promise<EidStart> {
    const useOperations: Record<string, string> = {};
    const fields: Partial<Record<string, string>> = request.fields;
    // Empty element = PROHIBITED, as in the BSI samples (schema default).
    for (const name of USE_OPERATIONS) useOperations[name] = fields[name] ?? '';
    const psk = this.options.sendPsk
      ? { ID: randomBytes(16).toString('hex'), Key: randomBytes(32).toString('hex') }
      : undefined;
    const args = {
      UseOperations: useOperations,
      ...(request.transactionInfo ? { TransactionInfo: request.transactionInfo } : {}),
      LevelOfAssuranceRequest: LOA_HOCH,
      ...(psk ? { PSK: psk } : {}),
    };
    const answer = parseUseIdResponse(await this.call('useID', args));
    if (!majorIsOk(answer.major) || !answer.sessionId || !answer.pskId || !answer.pskKey) {
      throw new Error(`eID useID failed: ${answer.minor ?? 'incomplete response'} ${answer.message ?? ''}`.trim());
    }
    if (psk && (answer.pskId !== psk.ID || answer.pskKey.toLowerCase() !== psk.Key)) {
      throw new Error('eID useID returned a different PSK than requested');
    }
    const ref = randomBytes(24).toString('base64url');
    const session = {
      serverAddress: answer.eCardServerAddress ?? this.options.eCardServerAddress ?? this.options.endpoint,
      sessionIdentifier: answer.pskId,
      refreshAddress: request.returnUrl,
      psk: answer.pskKey,
    };
    await this.options.kv.set(`eid:tctoken:${ref}`, JSON.stringify(session), this.ttl);
    await this.options.kv.set(`eid:counter:${answer.sessionId}`, '0', this.ttl);
    const sep = this.options.tcTokenBaseUrl.includes('?') ? '&' : '?';
    return { sessionId: answer.sessionId, clientUrl: this.buildClientUrl(`${this.options.tcTokenBaseUrl}${sep}ref=${ref}`) };
  }

  /** The TC token for an opaque ref from the TC token URL, or null when unknown/expired. */
  async tcToken(ref: string): Promise<string | null> {
    const raw = await this.options.kv.get(`eid:tctoken:${ref}`);
    if (!raw) return null;
    const parsed = tcTokenSessionSchema.safeParse(JSON.parse(raw));
    return parsed.success ? tcTokenXml(parsed.data) : null;
  }

  /** RequestCounter must grow per call (EID.md §1.2); kept in the kv so that any instance can poll. */
  private async nextCounter(sessionId: string): Promise<number> {
    const key = `eid:counter:${sessionId}`;
    const next = Number(await this.options.kv.get(key) ?? '0') + 1;
    await this.options.kv.set(key, String(next), this.ttl);
    return next;
  }

  async result(sessionId: string): Promise<EidResult> {
    const maxPolls = Math.max(1, this.options.maxPolls ?? 10);
    const delay = this.options.pollDelayMs ?? 500;
    for (let poll = 1; ; poll++) {
      const counter = await this.nextCounter(sessionId);
      let answer: GetResultAnswer;
      try {
        answer = parseGetResultResponse(await this.call('getResult', { Session: { ID: sessionId }, RequestCounter: counter }));
      } catch {
        // SOAP faults, transport errors, unreadable XML: the caller only needs to know it failed.
        return { ok: false, reason: 'error' };
      }
      if (!minorIs(answer.minor, MINOR_NO_RESULT_YET) || majorIsOk(answer.major) || poll >= maxPolls) return toEidResult(answer);
      await sleep(delay);
    }
  }
}
