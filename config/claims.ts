/**
 * Which claims each scope releases (OIDC-03). Later capabilities add scopes here
 * (address, birthdate, account type, organisation) without touching the provider wiring.
 */
export const SCOPE_CLAIMS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  // acr and amr ride on `openid` so every ID token states its trust level and method (LOA-01).
  openid: ['sub', 'acr', 'amr'],
  profile: ['name', 'given_name', 'family_name', 'updated_at'],
  email: ['email', 'email_verified'],
});

export const SUPPORTED_SCOPES = Object.freeze(Object.keys(SCOPE_CLAIMS).concat('offline_access'));
