import type { Kysely } from "kysely";
import type { AuthTables } from "../../tables.js";
import { dummyPasswordHash, verifyPassword } from "../../users/passwords.js";
import { findUserByUsername } from "../../users/repository.js";
import type { CredentialCheck, IdentityProvider } from "../identity-provider.js";

/** Username and password against the `users` table (scrypt hashes). */
export function createLocalProvider(db: Kysely<AuthTables>): IdentityProvider {
  return {
    name: "local",
    async verify({ username, password }): Promise<CredentialCheck> {
      const user = await findUserByUsername(db, username);
      // Always pay for one scrypt verification, whether or not the user exists: the answer's
      // timing must not tell which usernames exist.
      const ok = await verifyPassword(password, user?.password_hash ?? (await dummyPasswordHash()));
      if (!user) return { ok: false, reason: "unknown_user" };
      if (!user.password_hash) return { ok: false, reason: "no_local_password" };
      if (!ok) return { ok: false, reason: "bad_password" };
      return {
        ok: true,
        identity: {
          userId: user.id,
          subject: user.id,
          username: user.username,
          email: user.email,
          groups: [],
          method: "password",
          mfa: false,
        },
      };
    },
  };
}
