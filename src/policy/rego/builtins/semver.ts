/** `semver.is_valid` and `semver.compare` over Semantic Versioning 2.0.0 (no leading "v"). */
import type { Value } from "../value.js";
import { str } from "./args.js";
import { BuiltinError, type BuiltinTable } from "./types.js";

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

interface Version {
  core: [bigint, bigint, bigint];
  pre: string[];
}

function parseVersion(s: string): Version | undefined {
  const m = SEMVER.exec(s);
  if (m === null) return undefined;
  return { core: [BigInt(m[1] ?? 0), BigInt(m[2] ?? 0), BigInt(m[3] ?? 0)], pre: m[4] ? m[4].split(".") : [] };
}

const sign = (n: number | bigint) => (n > 0 ? 1 : n < 0 ? -1 : 0);

/** Pre-release identifiers: numeric ones compare numerically and sort before alphanumeric ones. */
function comparePre(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return sign(b.length - a.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] ?? "";
    const y = b[i] ?? "";
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn && x !== y) return sign(BigInt(x) - BigInt(y));
    if (xn !== yn) return xn ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return sign(a.length - b.length);
}

function compareVersions(args: readonly Value[]): Value {
  const [a, b] = [0, 1].map((i) => {
    const s = str("semver.compare", args, i);
    const v = parseVersion(s);
    if (v === undefined) throw new BuiltinError(`semver.compare: invalid semantic version ${JSON.stringify(s)}`);
    return v;
  }) as [Version, Version];
  for (let i = 0; i < 3; i++) {
    const c = sign(a.core[i as 0 | 1 | 2] - b.core[i as 0 | 1 | 2]);
    if (c !== 0) return c;
  }
  return comparePre(a.pre, b.pre);
}

export const SEMVER_BUILTINS: BuiltinTable = {
  "semver.is_valid": {
    arity: 1,
    fn: (args) => typeof args[0] === "string" && parseVersion(args[0]) !== undefined,
  },
  "semver.compare": { arity: 2, fn: compareVersions },
};
