import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import * as client from 'openid-client';

interface DemoRpOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  port: number;
  host: string;
}

const escape = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A tiny online service for `npm start`: signs in through the provider with openid-client
 * (code + PKCE + state + nonce) and shows the received claims and trust level.
 */
export async function startDemoRelyingParty(options: DemoRpOptions): Promise<{ url: string; server: Server }> {
  const url = `http://localhost:${options.port}`;
  const config = await client.discovery(new URL(options.issuer), options.clientId, options.clientSecret, undefined, {
    execute: options.issuer.startsWith('http://') ? [client.allowInsecureRequests] : [],
  });
  const pending = new Map<string, { verifier: string; nonce: string }>();

  const page = (body: string) => `<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Demo-Online-Dienst</title></head><body><main><h1>Demo-Online-Dienst</h1>${body}</main></body></html>`;

  const server = createServer((req, res) => {
    void (async () => {
      const current = new URL(req.url ?? '/', url);
      if (current.pathname === '/login') {
        const state = randomBytes(16).toString('base64url');
        const verifier = client.randomPKCECodeVerifier();
        const nonce = client.randomNonce();
        pending.set(state, { verifier, nonce });
        const target = client.buildAuthorizationUrl(config, {
          redirect_uri: `${url}/callback`, scope: 'openid profile email', state, nonce,
          code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
          ...(current.searchParams.get('acr') ? { acr_values: current.searchParams.get('acr')! } : {}),
        });
        res.writeHead(302, { Location: target.href }).end();
        return;
      }
      if (current.pathname === '/callback') {
        const state = current.searchParams.get('state') ?? '';
        const flow = pending.get(state);
        pending.delete(state);
        if (!flow) {
          res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' }).end(page('<p>Unbekannter Anmeldevorgang.</p><a href="/">Zurück</a>'));
          return;
        }
        try {
          const tokens = await client.authorizationCodeGrant(config, current, {
            pkceCodeVerifier: flow.verifier, expectedNonce: flow.nonce, expectedState: state,
          });
          const claims: Record<string, unknown> = tokens.claims() ?? {};
          const userinfo = await client.fetchUserInfo(config, tokens.access_token, String(claims.sub));
          const logout = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: `${url}/` });
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(
            `<p>Angemeldet. Vertrauensniveau (acr): <strong id="acr">${escape(String(claims.acr))}</strong></p>` +
            `<h2>ID-Token</h2><pre id="id-token">${escape(JSON.stringify(claims, null, 2))}</pre>` +
            `<h2>UserInfo</h2><pre id="userinfo">${escape(JSON.stringify(userinfo, null, 2))}</pre>` +
            `<p><a href="${escape(logout.href)}">Abmelden</a></p>`,
          ));
        } catch (error) {
          res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' }).end(page(`<p>Anmeldung fehlgeschlagen: ${escape((error as Error).message)}</p><a href="/">Zurück</a>`));
        }
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(
        '<p>Dieser Dienst meldet Sie über das Servicekonto an.</p><p><a id="login" href="/login">Mit Servicekonto anmelden</a></p>' +
        '<p><a href="/login?acr=' + encodeURIComponent('http://eidas.europa.eu/LoA/substantial') + '">Anmelden mit Servicekonto Plus (substanziell)</a></p>',
      ));
    })().catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  return { url, server };
}
