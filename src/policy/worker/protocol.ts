/** Messages between the policy worker (entry.ts) and its pool (checker.ts). */
import type { CheckOutcome, CheckRequest, ValidateOutcome } from "./checks.js";

export interface WorkerRequest {
  id: number;
  req: CheckRequest;
}

export type WorkerReply =
  | { id: number; ok: true; result: ValidateOutcome | CheckOutcome }
  | { id: number; ok: false; error: string };

/** Sent once the worker has loaded its code; the pool starts a check's clock only then. */
export const READY = "ready";
