/**
 * `io.jwt.*`: decode, signature verification (HS/RS/PS/ES families) and decode_verify with OPA's
 * constraints. Synchronous, on node:crypto. Keys for the asymmetric algorithms may be a PEM
 * certificate, a PEM public key, a JWK or a JWKS (any key that verifies is accepted, as in OPA).
 */
import {
  constants,
  createHmac,
  createPublicKey,
  type KeyObject,
  timingSafeEqual,
  verify as verifySignature,
  X509Certificate,
} from "node:crypto";
import { fromJS, RegoObject, type Value } from "../value.js";
import { obj, str } from "./args.js";
import { checkClaims } from "./jwt-claims.js";
import { type Builtin, type BuiltinContext, BuiltinError, type BuiltinTable } from "./types.js";

interface Jws {
  header: RegoObject;
  payload: Value;
  signature: Buffer;
  signingInput: string;
}

function decodePart(part: string, what: string): Value {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) throw new BuiltinError(`io.jwt: invalid ${what} encoding`);
  try {
    return fromJS(JSON.parse(Buffer.from(part, "base64url").toString("utf8")));
  } catch {
    throw new BuiltinError(`io.jwt: ${what} is not JSON`);
  }
}

function parseJws(token: string): Jws {
  const parts = token.split(".");
  if (parts.length !== 3) throw new BuiltinError("io.jwt: token must have three parts");
  const [h = "", p = "", s = ""] = parts;
  const header = decodePart(h, "header");
  if (!(header instanceof RegoObject)) throw new BuiltinError("io.jwt: header must be an object");
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new BuiltinError("io.jwt: invalid signature encoding");
  return {
    header,
    payload: decodePart(p, "payload"),
    signature: Buffer.from(s, "base64url"),
    signingInput: `${h}.${p}`,
  };
}

type Family = "HS" | "RS" | "PS" | "ES";
const HASH = { "256": "sha256", "384": "sha384", "512": "sha512" } as const;

function algParts(alg: string): { family: Family; hash: string } | undefined {
  const m = /^(HS|RS|PS|ES)(256|384|512)$/.exec(alg);
  return m === null ? undefined : { family: m[1] as Family, hash: HASH[m[2] as keyof typeof HASH] };
}

/** Every public key a `cert` constraint denotes: PEM certificate, PEM key, JWK or JWKS. */
function publicKeys(material: string): KeyObject[] {
  try {
    if (material.includes("-----BEGIN CERTIFICATE-----")) return [new X509Certificate(material).publicKey];
    if (material.includes("-----BEGIN")) return [createPublicKey(material)];
    const jwk = JSON.parse(material) as { keys?: unknown[] };
    const list = Array.isArray(jwk.keys) ? jwk.keys : [jwk];
    return list.map((k) => createPublicKey({ key: k as never, format: "jwk" }));
  } catch {
    throw new BuiltinError("io.jwt: invalid key material");
  }
}

function verifyHmac(jws: Jws, hash: string, secret: string): boolean {
  const expected = createHmac(hash, secret).update(jws.signingInput).digest();
  return expected.length === jws.signature.length && timingSafeEqual(expected, jws.signature);
}

function verifyAsymmetric(jws: Jws, family: Family, hash: string, keys: KeyObject[]): boolean {
  const data = Buffer.from(jws.signingInput);
  return keys.some((key) => {
    try {
      if (family === "PS") {
        const pss = { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
        return verifySignature(hash, data, pss, jws.signature);
      }
      const dsaEncoding = family === "ES" ? "ieee-p1363" : undefined;
      return verifySignature(hash, data, dsaEncoding ? { key, dsaEncoding } : key, jws.signature);
    } catch {
      return false;
    }
  });
}

/** Verifies `jws` with `alg` using a secret (HS) or key material (others). */
function verifyWith(jws: Jws, alg: string, keyText: string): boolean {
  const parts = algParts(alg);
  if (parts === undefined) return false;
  if (parts.family === "HS") return verifyHmac(jws, parts.hash, keyText);
  return verifyAsymmetric(jws, parts.family, parts.hash, publicKeys(keyText));
}

function verifier(alg: string): Builtin {
  const name = `io.jwt.verify_${alg.toLowerCase()}`;
  return {
    arity: 2,
    fn: (args) => {
      const jws = parseJws(str(name, args, 0));
      return jws.header.get("alg") === alg && verifyWith(jws, alg, str(name, args, 1));
    },
  };
}

function decode(args: readonly Value[]): Value {
  const jws = parseJws(str("io.jwt.decode", args, 0));
  return [jws.header, jws.payload, jws.signature.toString("hex")];
}

/** `io.jwt.decode_verify(token, constraints)` → `[valid, header, payload]`. */
function decodeVerify(args: readonly Value[], ctx: BuiltinContext): Value {
  const jws = parseJws(str("io.jwt.decode_verify", args, 0));
  const constraints = obj("io.jwt.decode_verify", args, 1);
  const invalid: Value = [false, new RegoObject(), new RegoObject()];
  const alg = jws.header.get("alg");
  if (typeof alg !== "string") return invalid;
  const wanted = constraints.get("alg");
  if (wanted !== undefined && wanted !== alg) return invalid;
  const cert = constraints.get("cert");
  const secret = constraints.get("secret");
  const keyText = alg.startsWith("HS") ? secret : cert;
  if (typeof keyText !== "string" || !verifyWith(jws, alg, keyText)) return invalid;
  if (!(jws.payload instanceof RegoObject) || !checkClaims(jws.payload, constraints, ctx.nowNs)) return invalid;
  return [true, jws.header, jws.payload];
}

const ALGS = [
  "HS256",
  "HS384",
  "HS512",
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
];

export const JWT: BuiltinTable = {
  "io.jwt.decode": { arity: 1, fn: decode },
  "io.jwt.decode_verify": { arity: 2, fn: decodeVerify },
  ...Object.fromEntries(ALGS.map((a) => [`io.jwt.verify_${a.toLowerCase()}`, verifier(a)])),
};
