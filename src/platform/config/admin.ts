import { type Env, EnvReader } from "./parsers.js";

/** The bootstrap admin, created on first start when there are no users. */
export interface AdminConfig {
  readonly username: string;
  /** `undefined`: a random password is generated and printed once. */
  readonly password: string | undefined;
  readonly email: string;
}

/** Reads SARK_ADMIN_USERNAME, SARK_ADMIN_PASSWORD and SARK_ADMIN_EMAIL. */
export function readAdminConfig(env: Env, problems: string[]): AdminConfig {
  const r = new EnvReader(env, problems);
  return {
    username: r.string("SARK_ADMIN_USERNAME", "admin"),
    password: r.optional("SARK_ADMIN_PASSWORD"),
    email: r.string("SARK_ADMIN_EMAIL", "admin@localhost"),
  };
}
