/**
 * Which claims each scope releases (OIDC-03). Later capabilities add scopes here
 * (address, birthdate, account type, organisation) without touching the provider wiring.
 */
export const SCOPE_CLAIMS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  // acr and amr ride on `openid` so every ID token states its trust level and method (LOA-01).
  openid: ['sub', 'acr', 'amr'],
  profile: ['name', 'given_name', 'family_name', 'updated_at'],
  email: ['email', 'email_verified'],
  // Servicekonto Plus data from the eID (OIDC-03); released only with consent.
  address: ['address'],
  birthdate: ['birthdate'],
  place_of_birth: ['place_of_birth'],
  birth_name: ['birth_name'],
  academic_title: ['academic_title'],
  nationality: ['nationality'],
  account_type: ['account_type'],
});

/** Claims about the sign-in itself, never subject to consent (oidc-provider's own list). */
export const NON_REJECTABLE_CLAIMS: ReadonlySet<string> = new Set(['sub', 'sid', 'auth_time', 'acr', 'amr', 'iss']);

export const SUPPORTED_SCOPES = Object.freeze(Object.keys(SCOPE_CLAIMS).concat('offline_access'));

/**
 * FED-03: the `account_type` values that mark a citizen account. Other Länder use the same
 * vocabulary as our tokens; organisation or authority accounts never sign in through the
 * federation, and a token without an account type is not taken on trust.
 */
export const CITIZEN_ACCOUNT_TYPES: ReadonlySet<string> = new Set(['servicekonto', 'servicekonto_plus']);
