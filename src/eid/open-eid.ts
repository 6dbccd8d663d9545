import type { Config } from '../../config/index.ts';
import type { KvStore } from '../kv/kv-store.ts';
import { EID_WSDL_PATH, SoapEidService } from './soap-eid-service.ts';

export interface OpenedEid {
  eid: SoapEidService;
  /** Where eID buttons send the browser: pages must allow it as a form target (CSP form-action). */
  clientOrigin: string;
  close(): Promise<void>;
}

/**
 * EID-09: production talks to a real eID-Server; development and tests start the simulator,
 * which speaks the same SOAP interface, so the real adapter is always what runs.
 */
export async function openEid(config: Config, kv: KvStore): Promise<OpenedEid> {
  const tcTokenBaseUrl = `${config.issuer}/eid/tctoken`;
  if (config.eid.mode === 'server') {
    if (!config.eid.serverUrl) throw new Error('EID_SERVER_URL is required with EID_MODE=server');
    const eid = new SoapEidService({
      wsdlPath: EID_WSDL_PATH, endpoint: config.eid.serverUrl, tcTokenBaseUrl, kv,
      tls: config.eid.tls ? { ...config.eid.tls } : undefined, signing: config.eid.signing ? { ...config.eid.signing } : undefined,
    });
    return { eid, clientOrigin: 'http://127.0.0.1:24727', close: async () => undefined };
  }
  if (config.production) throw new Error('the eID simulator is refused when NODE_ENV=production');
  const { startEidSimulator, createSimulatedEidService } = await import('./simulator/index.ts');
  const simulator = await startEidSimulator({ host: config.host, port: 0, production: config.production, cssUrl: `${config.issuer}/assets/kern/kern.min.css` });
  return {
    eid: createSimulatedEidService({ kv, simulator, tcTokenBaseUrl }), clientOrigin: new URL(simulator.baseUrl).origin,
    close: () => simulator.close(),
  };
}
