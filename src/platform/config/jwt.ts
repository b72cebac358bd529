import { type Env, EnvReader } from "./parsers.js";

export interface JwtConfig {
  readonly algorithm: "HS256" | "RS256" | "ES256";
  /** HS256 secret; `undefined` in development means "generate one and keep it in the data dir". */
  readonly secret: string | undefined;
  readonly privateKeyPem: string | undefined;
  readonly publicKeyPem: string | undefined;
  readonly issuer: string;
  readonly audience: string;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
}

/**
 * Reads the token signing settings. Asymmetric algorithms need both PEM keys; the production
 * strength of an HS256 secret is checked in `loadConfig`, which knows the environment.
 */
export function readJwtConfig(env: Env, problems: string[]): JwtConfig {
  const r = new EnvReader(env, problems);
  const pem = (name: string) => r.optional(name)?.replace(/\\n/g, "\n");
  const config: JwtConfig = {
    algorithm: r.raw("JWT_ALGORITHM")
      ? (r
          .oneOf("JWT_ALGORITHM", ["hs256", "rs256", "es256"] as const, "hs256")
          .toUpperCase() as JwtConfig["algorithm"])
      : "HS256",
    secret: r.optional("JWT_SECRET_KEY"),
    privateKeyPem: pem("JWT_PRIVATE_KEY"),
    publicKeyPem: pem("JWT_PUBLIC_KEY"),
    issuer: r.string("JWT_ISSUER", "sark"),
    audience: r.string("JWT_AUDIENCE", "sark-api"),
    accessTokenTtlSeconds: r.durationSeconds("ACCESS_TOKEN_TTL", 15 * 60),
    refreshTokenTtlSeconds: r.durationSeconds("REFRESH_TOKEN_TTL", 7 * 86400),
  };
  if (config.algorithm !== "HS256" && (!config.privateKeyPem || !config.publicKeyPem)) {
    problems.push(`JWT_ALGORITHM=${config.algorithm} needs JWT_PRIVATE_KEY and JWT_PUBLIC_KEY (PEM)`);
  }
  return config;
}
