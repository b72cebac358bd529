/** Hash and HMAC builtins (`crypto.*`), hex-encoded as OPA returns them. */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { str } from "./args.js";
import type { Builtin, BuiltinTable } from "./types.js";

function digest(name: string, algorithm: string): Builtin {
  return {
    arity: 1,
    fn: (args) =>
      createHash(algorithm)
        .update(str(name, args, 0), "utf8")
        .digest("hex"),
  };
}

function hmac(name: string, algorithm: string): Builtin {
  return {
    arity: 2,
    fn: (args) =>
      createHmac(algorithm, str(name, args, 1))
        .update(str(name, args, 0), "utf8")
        .digest("hex"),
  };
}

/** Constant-time comparison of two MACs, so a policy comparing signatures leaks no timing. */
function hmacEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

export const CRYPTO: BuiltinTable = {
  "crypto.md5": digest("crypto.md5", "md5"),
  "crypto.sha1": digest("crypto.sha1", "sha1"),
  "crypto.sha256": digest("crypto.sha256", "sha256"),
  "crypto.hmac.md5": hmac("crypto.hmac.md5", "md5"),
  "crypto.hmac.sha1": hmac("crypto.hmac.sha1", "sha1"),
  "crypto.hmac.sha256": hmac("crypto.hmac.sha256", "sha256"),
  "crypto.hmac.sha512": hmac("crypto.hmac.sha512", "sha512"),
  "crypto.hmac.equal": {
    arity: 2,
    fn: (args) => hmacEqual(str("crypto.hmac.equal", args, 0), str("crypto.hmac.equal", args, 1)),
  },
};
