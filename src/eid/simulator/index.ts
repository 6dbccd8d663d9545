/**
 * eID simulator (EID-09): a TR-03130 eID-Server speaking SOAP from the same WSDL, plus a page that
 * stands in for the citizen's eID client (TC token fetch, consent, PIN, 303 to the RefreshAddress).
 * Development and tests only; refused in production.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DOMParser } from '@xmldom/xmldom';
import { listen } from 'soap';
import { MINOR_CANCELLED, MINOR_INVALID_DOCUMENT, MINOR_WRONG_PIN } from '../result-codes.ts';
import { EID_WSDL_PATH, SoapEidService, type EidKv, type SoapEidServiceOptions } from '../soap-eid-service.ts';
import { findCard } from './cards.ts';
import { clientPage, errorPage } from './page.ts';
import { SimSessions, type SimSession } from './sessions.ts';

export const SIMULATOR_PIN = '123456';
const SOAP_PATH = '/eIDService';

export interface EidSimulatorOptions {
  host?: string;
  port?: number;
  production: boolean;
  /** Stylesheet for the client page, e.g. the app's KERN CSS. */
  cssUrl?: string;
}

export interface EidSimulator {
  soapEndpoint: string;
  baseUrl: string;
  /** Counts HTTP requests that reached the SOAP endpoint (tests prove the adapter used the wire). */
  stats: { soapRequests: number; signedRequests: number };
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: string, type = 'text/html; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 16_384) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

/** Reads the TC token like an eID client in developer mode (http tolerated). */
async function fetchTcToken(url: string): Promise<{ sessionIdentifier: string; refreshAddress: string; psk: string }> {
  const response = await fetch(url, { redirect: 'follow' });
  if (!response.ok) throw new Error(`TC-Token nicht abrufbar (HTTP ${response.status})`);
  const doc = new DOMParser({ onError: () => undefined }).parseFromString(await response.text(), 'text/xml');
  const root = doc.documentElement;
  const get = (name: string): string => root?.getElementsByTagName(name)[0]?.textContent?.trim() ?? '';
  if (root?.localName !== 'TCTokenType' || get('Binding') !== 'urn:liberty:paos:2006-08') throw new Error('TC-Token ungültig');
  return { sessionIdentifier: get('SessionIdentifier'), refreshAddress: get('RefreshAddress'), psk: get('PSK') };
}

function redirect(res: ServerResponse, session: SimSession, params: Record<string, string>): void {
  const target = new URL(session.refreshAddress ?? '');
  for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
  res.writeHead(303, { location: target.toString(), 'cache-control': 'no-store' });
  res.end();
}

async function handleClient(req: IncomingMessage, res: ServerResponse, sessions: SimSessions, cssUrl?: string): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method === 'GET') {
    const tcTokenUrl = url.searchParams.get('tcTokenURL') ?? url.searchParams.get('tctokenurl');
    if (!tcTokenUrl) return send(res, 400, errorPage('Parameter tcTokenURL fehlt.', cssUrl));
    const token = await fetchTcToken(tcTokenUrl);
    const session = sessions.findByPskId(token.sessionIdentifier);
    // Stands in for the PSK-TLS handshake: only the right PSK reaches the session.
    if (!session || session.pskKey !== token.psk.toLowerCase()) return send(res, 400, errorPage('Unbekannte eID-Sitzung.', cssUrl));
    session.refreshAddress = token.refreshAddress;
    return send(res, 200, clientPage(session, cssUrl));
  }
  const form = await readForm(req);
  const session = sessions.findByPskId(form.get('session') ?? '');
  if (!session?.refreshAddress || session.outcome) return send(res, 400, errorPage('Unbekannte oder beendete eID-Sitzung.', cssUrl));
  // The short minors are what TR-03124-1 §2.7.4 lets the eID client append to the RefreshAddress.
  if (form.get('action') === 'cancel') {
    session.outcome = { ok: false, minor: MINOR_CANCELLED };
    return redirect(res, session, { ResultMajor: 'error', ResultMinor: 'cancellationByUser' });
  }
  const card = findCard(form.get('card') ?? '');
  if (!card) return send(res, 400, errorPage('Bitte einen Testausweis wählen.', cssUrl));
  if (form.get('pin') !== SIMULATOR_PIN) {
    session.outcome = { ok: false, minor: MINOR_WRONG_PIN, message: 'PACE failed: wrong PIN' };
    return redirect(res, session, { ResultMajor: 'error', ResultMinor: 'clientError' });
  }
  if (card.invalid) {
    session.outcome = { ok: false, minor: MINOR_INVALID_DOCUMENT, message: `Document ${card.invalid}` };
    return redirect(res, session, { ResultMajor: 'error', ResultMinor: 'serverError' });
  }
  // Deselection only counts for ALLOWED fields; REQUIRED ones are always transferred (EID-02).
  const selected = new Set(form.getAll('field').filter((f) => session.ops[f] === 'ALLOWED'));
  for (const [name, need] of Object.entries(session.ops)) if (need === 'REQUIRED') selected.add(name);
  session.outcome = { ok: true, card, selected };
  return redirect(res, session, { ResultMajor: 'ok' });
}

export async function startEidSimulator(options: EidSimulatorOptions): Promise<EidSimulator> {
  if (options.production || process.env['NODE_ENV'] === 'production') {
    throw new Error('The eID simulator is refused in production (EID-09): configure a real eID-Server.');
  }
  const { host = '127.0.0.1', port = 0, cssUrl } = options;
  let baseUrl = '';
  const sessions = new SimSessions(() => `${baseUrl}/eCard`);
  const stats = { soapRequests: 0, signedRequests: 0 };
  // The simulator does not verify WS-Security signatures; it only records that one was present.
  const countSignature = (headers: unknown): void => {
    const security = (headers as { Security?: { Signature?: unknown } } | undefined)?.Security;
    if (security?.Signature) stats.signedRequests++;
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/eID-Client' || (req.method !== 'GET' && req.method !== 'POST')) return send(res, 404, errorPage('Nicht gefunden.', cssUrl));
    handleClient(req, res, sessions, cssUrl).catch((err: unknown) => {
      if (!res.headersSent) send(res, 502, errorPage(err instanceof Error ? err.message : 'Fehler', cssUrl));
    });
  });
  const services = {
    eID: {
      eIDSOAP: {
        useID: (args: Record<string, unknown>, _cb: unknown, headers: unknown) => {
          countSignature(headers);
          return sessions.useID(args);
        },
        getResult: (args: Record<string, unknown>, _cb: unknown, headers: unknown) => {
          countSignature(headers);
          return sessions.getResult(args);
        },
      },
    },
  };
  // soap.listen parses the WSDL asynchronously and only then takes over the request listeners.
  await new Promise<void>((resolve, reject) => {
    listen(server, SOAP_PATH, services, readFileSync(EID_WSDL_PATH, 'utf8'), (err: unknown) => (err ? reject(err) : resolve()));
  });
  server.prependListener('request', (req: IncomingMessage) => {
    if (req.method === 'POST' && new URL(req.url ?? '/', 'http://localhost').pathname === SOAP_PATH) stats.soapRequests++;
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address() as AddressInfo;
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  return {
    soapEndpoint: `${baseUrl}${SOAP_PATH}`,
    baseUrl,
    stats,
    close: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((err) => (err ? reject(err) : resolve()));
    }),
  };
}

export interface SimulatedEidServiceOptions {
  kv: EidKv;
  simulator: { soapEndpoint: string; baseUrl: string };
  tcTokenBaseUrl: string;
  maxPolls?: number;
  pollDelayMs?: number;
}

/** The real SOAP adapter pointed at the simulator; only the browser hand-over goes to its page. */
export function createSimulatedEidService(options: SimulatedEidServiceOptions): SoapEidService {
  const config: SoapEidServiceOptions = {
    wsdlPath: EID_WSDL_PATH,
    endpoint: options.simulator.soapEndpoint,
    tcTokenBaseUrl: options.tcTokenBaseUrl,
    kv: options.kv,
    clientUrl: (tcTokenUrl) => `${options.simulator.baseUrl}/eID-Client?tcTokenURL=${encodeURIComponent(tcTokenUrl)}`,
    maxPolls: options.maxPolls ?? 10,
    pollDelayMs: options.pollDelayMs ?? 200,
  };
  return new SoapEidService(config);
}
