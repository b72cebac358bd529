import { readFileSync } from "node:fs";

/**
 * CPU time spent per request, read from Linux's /proc around a load run: by the server process
 * alone, and by the whole machine (server, PostgreSQL, the load generator and the kernel). Throughput
 * moves by ±10% from run to run and with the host; CPU per request is what a change to SARK moves,
 * and the machine total shows how much of the 2-core budget each request takes.
 * Undefined where /proc is not available.
 */
export interface CpuPerRequest {
  /** Server process, user + system, µs per request. */
  serverUs: number;
  /** Every process on the machine, µs per request (the budget is cores × 1 s / rate). */
  machineUs: number;
}

// /proc reports clock ticks of USER_HZ, which Linux fixes at 100 for user space.
export const TICK_MS = 10;

/** User + system CPU of process `pid` so far, in ticks of TICK_MS; undefined without /proc. */
export function processTicks(pid: number): number | undefined {
  try {
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of those.
    const fields = (readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1] ?? "").split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

function busyTicks(): number | undefined {
  try {
    const [, ...values] = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").trim().split(/\s+/);
    const n = values.map(Number);
    // user nice system idle iowait irq softirq steal …: everything but idle and iowait is busy.
    return n.reduce((a, b) => a + b, 0) - (n[3] ?? 0) - (n[4] ?? 0);
  } catch {
    return undefined;
  }
}

/** Runs `load` against the server `pid` and reports the CPU it and the machine spent per request. */
export async function measureCpu<T extends { rps: number }>(
  pid: number,
  durationS: number,
  load: () => Promise<T>,
): Promise<{ result: T; cpu: CpuPerRequest | undefined }> {
  const server0 = processTicks(pid);
  const machine0 = busyTicks();
  const result = await load();
  const server1 = processTicks(pid);
  const machine1 = busyTicks();
  const requests = result.rps * durationS;
  if (server0 === undefined || server1 === undefined || machine0 === undefined || machine1 === undefined || !requests)
    return { result, cpu: undefined };
  const perRequestUs = (ticks: number) => (ticks * TICK_MS * 1000) / requests;
  return { result, cpu: { serverUs: perRequestUs(server1 - server0), machineUs: perRequestUs(machine1 - machine0) } };
}

/** "CPU per request: server 240 µs, whole machine 330 µs", for a results row's notes. */
export function describeCpu(cpu: CpuPerRequest | undefined): string {
  if (!cpu) return "CPU per request not measured (no /proc)";
  return `CPU per request: server ${cpu.serverUs.toFixed(0)} µs, whole machine ${cpu.machineUs.toFixed(0)} µs`;
}
