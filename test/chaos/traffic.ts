import type { Reply } from "../helpers/http-call.js";

/** What the traffic saw, per kind of request. */
export interface TrafficLog {
  /** Request ids of registrations answered 201 (acknowledged state changes), per replica. */
  registered: Map<string, string>;
  /** Answers that are bugs whatever the chaos: a 5xx other than 503 DEPENDENCY_UNAVAILABLE, or a 4xx. */
  unexpected: string[];
  /** Transport errors (connection refused/reset, timeouts), per replica label. */
  transportErrors: Map<string, number>;
  counts: Map<string, number>;
}

export function newTrafficLog(): TrafficLog {
  return { registered: new Map(), unexpected: [], transportErrors: new Map(), counts: new Map() };
}

const bump = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1);

/**
 * Classifies one answer: the status each request kind may have under chaos is its success status
 * or 503 DEPENDENCY_UNAVAILABLE with retry-after. Anything else is recorded as unexpected.
 */
export function noteAnswer(log: TrafficLog, label: string, kind: string, ok: number, res: Reply): boolean {
  bump(log.counts, `${label} ${kind} ${res.status}`);
  if (res.status === ok) return true;
  let code: string | undefined;
  try {
    code = (JSON.parse(res.body) as { error?: { code?: string } }).error?.code;
  } catch {
    code = undefined;
  }
  if (res.status === 503 && code === "DEPENDENCY_UNAVAILABLE" && res.headers["retry-after"] !== undefined) return false;
  log.unexpected.push(`${label} ${kind}: ${res.status} ${res.body.slice(0, 300)}`);
  return false;
}

export function noteTransportError(log: TrafficLog, label: string): void {
  bump(log.transportErrors, label);
}
