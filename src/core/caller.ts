/** Who is making a request, however they authenticated. The policy input's `user` is built from it. */
export interface Principal {
  readonly id: string;
  readonly username: string;
  readonly email: string | null;
  readonly roles: readonly string[];
  readonly teams: readonly string[];
  readonly authMethod: "password" | "api_key" | "ldap" | "oidc" | "saml";
  readonly mfa: boolean;
  /** Set when the request authenticated with an API key. */
  readonly apiKeyId?: string;
  /** API-key scopes; `undefined` means a user token (no scope restriction beyond policy). */
  readonly scopes?: readonly string[];
  /** Per-key request limit set on the API key (requests per minute); the rate limiter applies it. */
  readonly rateLimitPerMinute?: number;
  /** JWT id, for logout / revocation. */
  readonly tokenId?: string;
}

declare module "fastify" {
  interface FastifyRequest {
    /** Set by the authentication hook on every non-public route. */
    principal: Principal | undefined;
  }
  interface FastifyContextConfig {
    /** Route needs no authentication (probes, login, docs). */
    public?: boolean;
    /** Route changes state but stays available in read-only mode (login, refresh). */
    allowInReadOnly?: boolean;
  }
}
