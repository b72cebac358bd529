/**
 * Small, total parsers for environment variables. Each returns the parsed value or records a
 * problem naming the variable, so startup can list every mistake at once instead of the first.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export class EnvReader {
  /** `problems` is shared by every section's reader, so one error lists them all. */
  constructor(
    private readonly env: Env,
    readonly problems: string[],
  ) {}

  raw(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optional(name: string): string | undefined {
    return this.raw(name);
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.raw(name)?.toLowerCase();
    if (v === undefined) return fallback;
    if (["true", "1", "yes", "on"].includes(v)) return true;
    if (["false", "0", "no", "off"].includes(v)) return false;
    this.problems.push(`${name} must be true or false (got '${v}')`);
    return fallback;
  }

  int(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      this.problems.push(`${name} must be an integer between ${min} and ${max} (got '${v}')`);
      return fallback;
    }
    return n;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const v = this.raw(name)?.toLowerCase();
    if (v === undefined) return fallback;
    if ((allowed as readonly string[]).includes(v)) return v as T;
    this.problems.push(`${name} must be one of ${allowed.join(", ")} (got '${v}')`);
    return fallback;
  }

  /** Durations as `900`, `900s`, `15m`, `12h`, `7d`, `250ms`; returned in seconds (ms rounded up). */
  durationSeconds(name: string, fallback: number): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const seconds = parseDurationSeconds(v);
    if (seconds === undefined || seconds <= 0) {
      this.problems.push(`${name} must be a positive duration like 900, 15m, 12h or 7d (got '${v}')`);
      return fallback;
    }
    return seconds;
  }

  list(name: string): string[] {
    return (this.raw(name) ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
  }

  url(name: string, protocols: readonly string[]): string | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    try {
      const u = new URL(v);
      if (!protocols.includes(u.protocol)) {
        this.problems.push(`${name} must use ${protocols.join(" or ")} (got '${u.protocol}')`);
      }
      return v;
    } catch {
      this.problems.push(`${name} is not a valid URL`);
      return undefined;
    }
  }
}

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

export function parseDurationSeconds(text: string): number | undefined {
  const m = /^(\d+)\s*(ms|s|m|h|d)?$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = UNIT_SECONDS[(m[2] ?? "s").toLowerCase()] ?? 1;
  return Math.ceil(Number(m[1]) * unit);
}
