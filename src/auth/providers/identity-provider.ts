import type { AuthMethod } from "../../core/caller.js";

/** A person an identity provider vouches for, and the SARK account they act as. */
export interface VerifiedIdentity {
  /** The SARK user account (`users.id`) this identity signs in as. */
  readonly userId: string;
  /** The provider's own stable id for the person (local: the user id; LDAP: the DN; OIDC/SAML: `sub`/NameID). */
  readonly subject: string;
  readonly username: string;
  readonly email: string | null;
  /** Directory / IdP groups; empty for local accounts. */
  readonly groups: readonly string[];
  readonly method: AuthMethod;
  /** True when the provider checked a second factor. */
  readonly mfa: boolean;
}

/** A verified identity, or a failure whose reason goes to the audit trail (never to the caller). */
export type CredentialCheck = { ok: true; identity: VerifiedIdentity } | { ok: false; reason: string };

export interface PasswordCredentials {
  readonly username: string;
  readonly password: string;
}

/**
 * The seam between SARK's sessions and whoever checks credentials: the local user table today,
 * LDAP/AD, OIDC and SAML next. A provider only answers "who is this?"; account state (active or
 * not), session and token issuing stay in `tokens/sessions.ts` and are the same for every provider.
 * Redirect-based providers (OIDC, SAML) verify a callback instead of a password and implement the
 * same contract with their own credentials type.
 */
export interface IdentityProvider<Credentials = PasswordCredentials> {
  /** Names the provider in audit events and configuration (`local`, `ldap`, …). */
  readonly name: string;
  verify(credentials: Credentials): Promise<CredentialCheck>;
}
