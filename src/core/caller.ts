/** How a caller proved who it is. New identity providers add their method here. */
export type AuthMethod = "password" | "api_key" | "ldap" | "oidc" | "saml";

/** Who is calling: the user account the request acts as, however it authenticated. */
export interface Principal {
  readonly id: string;
  readonly username: string;
  readonly email: string | null;
  readonly roles: readonly string[];
  readonly teams: readonly string[];
  /** Directory / IdP groups (LDAP, OIDC, SAML); empty for local accounts. */
  readonly groups: readonly string[];
}

/** How the caller authenticated, and what that credential limits it to. */
export interface Authentication {
  readonly method: AuthMethod;
  /** True when the login that issued the credential passed a second factor. */
  readonly mfa: boolean;
  /** Set when the request authenticated with an API key. */
  readonly apiKeyId?: string;
  /** API-key scopes; `undefined` means a user token (no scope restriction beyond policy). */
  readonly scopes?: readonly string[];
  /** Per-key request limit set on the API key (requests per minute). */
  readonly rateLimitPerMinute?: number;
  /** JWT id, for logout / revocation. */
  readonly tokenId?: string;
}

/** Facts about the request itself, whoever sent it (public routes have these and nothing else). */
export interface RequestFacts {
  readonly ip: string;
  readonly userAgent: string | null;
  readonly requestId: string;
}

/** What authentication yields for a credential; the same object serves every request using it. */
export interface CallerIdentity {
  readonly principal: Principal;
  readonly auth: Authentication;
}

/**
 * The one shape of "who is calling", built once per request by the authenticate step of the
 * request pipeline and passed to every service. Audit actors (core/audit.ts `auditActorOf`) and the
 * policy input's `user` (policy/input.ts) are derived from it, each in one place.
 */
export interface Caller extends CallerIdentity {
  readonly request: RequestFacts;
}

/** True when `who` is an authenticated caller rather than the facts of an anonymous request. */
export function isCaller(who: Caller | RequestFacts): who is Caller {
  return "principal" in who;
}
