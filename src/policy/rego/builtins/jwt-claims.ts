/** Registered-claim checks of `io.jwt.decode_verify` (exp, nbf, iss, aud), as OPA applies them. */
import { equals, type RegoObject, type Value } from "../value.js";
import { BuiltinError } from "./types.js";

const KNOWN_CONSTRAINTS = new Set(["cert", "secret", "alg", "iss", "aud", "time"]);

/** `aud` in the token may be a string or an array; a token with an audience needs a match. */
function audienceOk(tokenAud: Value | undefined, wanted: Value | undefined): boolean {
  if (tokenAud === undefined) return wanted === undefined;
  if (typeof wanted !== "string") return false;
  if (typeof tokenAud === "string") return tokenAud === wanted;
  return Array.isArray(tokenAud) && (tokenAud as readonly Value[]).some((a) => equals(a, wanted));
}

/** Checks exp/nbf against `time` (ns, default: the evaluation clock), then iss and aud. */
export function checkClaims(payload: RegoObject, constraints: RegoObject, nowNs: number): boolean {
  for (const k of constraints.keys()) {
    if (typeof k !== "string" || !KNOWN_CONSTRAINTS.has(k)) {
      throw new BuiltinError(`io.jwt.decode_verify: unknown constraint ${JSON.stringify(k)}`);
    }
  }
  const time = constraints.get("time") ?? nowNs;
  if (typeof time !== "number") throw new BuiltinError("io.jwt.decode_verify: time must be a number");
  const seconds = time / 1e9;
  const exp = payload.get("exp");
  if (exp !== undefined && (typeof exp !== "number" || seconds >= exp)) return false;
  const nbf = payload.get("nbf");
  if (nbf !== undefined && (typeof nbf !== "number" || seconds < nbf)) return false;
  const iss = constraints.get("iss");
  if (iss !== undefined && !equals(payload.get("iss") ?? null, iss)) return false;
  return audienceOk(payload.get("aud"), constraints.get("aud"));
}
