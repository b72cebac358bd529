// The drain check of scripts/ci/image-check.sh: sends traffic at a SARK on 127.0.0.1:PORT, runs the
// stop command (e.g. `podman stop -t 40 <id>`) in the middle of it, and fails if any request that
// was sent went unanswered.
//
//   node scripts/ci/drain-check.mjs PORT -- STOP_COMMAND [ARG...]
//
// The traffic is what reaches a pod behind a Kubernetes Service while it stops: a keep-alive pool at
// ~100 requests/s that, like the Service, routes new requests away once readiness fails; and, every
// 50 ms until the port refuses connections, a client whose request arrives 300 ms after it connects
// (a slow network, an endpoint list that lags). Every request that was written must be answered
// 200. A refused connection carried no request and is expected once readiness has failed (the
// listener closes after SHUTDOWN_DELAY_MS); a refusal while SARK still reported ready fails.
// Sending stops when the stop command exits, i.e. when the container has stopped.
import { spawn } from "node:child_process";
import { Agent, request } from "node:http";
import { connect } from "node:net";

const HOST = "127.0.0.1";
const WARM_UP_MS = 2000;
const TICK_MS = 10;
const SLOW_CLIENT_EVERY_TICKS = 5;
const SLOW_CLIENT_DELAY_MS = 300;
const REQUEST_TIMEOUT_MS = 60_000;
const DEADLINE_MS = 120_000;

const [portArg, separator, ...stopCommand] = process.argv.slice(2);
const port = Number(portArg);
if (!Number.isInteger(port) || separator !== "--" || stopCommand.length === 0) {
  process.stderr.write("usage: drain-check.mjs PORT -- STOP_COMMAND [ARG...]\n");
  process.exit(2);
}

const started = Date.now();
const elapsed = () => Date.now() - started;
const timeline = { stopAt: undefined, notReadyAt: undefined, firstRefusalAt: undefined, stoppedAt: undefined };

/** A GET on the keep-alive pool: `{ status }`, or `{ error, sent }` (a refusal was never sent). */
function pooledGet(path, agent) {
  return new Promise((resolve) => {
    const req = request({ host: HOST, port, path, agent, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode }));
      res.on("error", (e) => resolve({ error: e.code ?? e.message, sent: true }));
    });
    req.on("timeout", () => req.destroy(new Error("no answer")));
    req.on("error", (e) => resolve({ error: e.code ?? e.message, sent: e.code !== "ECONNREFUSED" }));
    req.end();
  });
}

/** A client that connects, then writes its request `SLOW_CLIENT_DELAY_MS` later. */
function slowGet(path) {
  return new Promise((resolve) => {
    let response = "";
    let sent = false;
    let settled = false;
    const finish = (outcome) => {
      if (!settled) resolve(outcome);
      settled = true;
    };
    const socket = connect(port, HOST, () => {
      setTimeout(() => {
        if (socket.destroyed) return;
        sent = true;
        socket.write(`GET ${path} HTTP/1.1\r\nHost: sark\r\n\r\n`);
      }, SLOW_CLIENT_DELAY_MS);
    });
    socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy(new Error("no answer")));
    socket.on("data", (chunk) => {
      response += chunk.toString();
      const status = /^HTTP\/1\.1 (\d{3})/.exec(response)?.[1];
      if (status && response.includes("\r\n\r\n")) {
        finish({ status: Number(status) });
        socket.destroy();
      }
    });
    socket.on("error", (e) => finish({ error: e.code ?? e.message, sent }));
    socket.on("close", () => finish({ error: "closed before a response", sent }));
  });
}

function noteRefusal(outcome) {
  if (outcome.error === "ECONNREFUSED") timeline.firstRefusalAt ??= elapsed();
  return outcome;
}

/** Runs the stop command; resolves with its exit code once the container has stopped. */
function runStopCommand() {
  timeline.stopAt = elapsed();
  const [command, ...args] = stopCommand;
  const child = spawn(command, args, { stdio: ["ignore", "ignore", "inherit"] });
  return new Promise((resolve) => {
    child.on("error", (e) => resolve(`could not run: ${e.message}`));
    child.on("exit", (code, signal) => {
      timeline.stoppedAt = elapsed();
      resolve(code ?? signal);
    });
  });
}

async function sendTraffic() {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const pending = [];
  let stopCode;
  let stopped = false;
  const watchReadiness = (async () => {
    while (!stopped && timeline.notReadyAt === undefined) {
      const r = noteRefusal(await pooledGet("/ready", false));
      if (r.status === 503) timeline.notReadyAt = elapsed();
      await new Promise((res) => setTimeout(res, 50));
    }
  })();
  for (let tick = 0; !stopped && elapsed() < DEADLINE_MS; tick++) {
    if (timeline.stopAt === undefined && elapsed() >= WARM_UP_MS) {
      runStopCommand().then((code) => {
        stopCode = code;
        stopped = true;
      });
    }
    const routedAway = timeline.notReadyAt !== undefined;
    if (!routedAway) pending.push(pooledGet("/health", agent).then(noteRefusal));
    if (tick % SLOW_CLIENT_EVERY_TICKS === 0 && timeline.firstRefusalAt === undefined) {
      pending.push(slowGet("/health").then(noteRefusal));
    }
    await new Promise((res) => setTimeout(res, TICK_MS));
  }
  stopped = true;
  await watchReadiness;
  const outcomes = await Promise.all(pending);
  agent.destroy();
  return { outcomes, stopCode };
}

function verdict({ outcomes, stopCode }) {
  const problems = [];
  const answered = outcomes.filter((o) => o.status === 200).length;
  const lost = outcomes.filter((o) => (o.error && o.sent) || (o.status && o.status !== 200));
  if (lost.length > 0) {
    const kinds = [...new Set(lost.map((o) => o.error ?? `HTTP ${o.status}`))].join(", ");
    problems.push(`${lost.length} sent requests not answered 200 (${kinds})`);
  }
  if (timeline.stoppedAt === undefined) problems.push(`the stop command had not finished after ${DEADLINE_MS} ms`);
  else if (stopCode !== 0) problems.push(`the stop command exited with ${stopCode}`);
  if (timeline.notReadyAt === undefined) problems.push("readiness never reported 503 while stopping");
  const refusedWhileReady =
    timeline.firstRefusalAt !== undefined &&
    (timeline.notReadyAt === undefined || timeline.firstRefusalAt < timeline.notReadyAt);
  if (refusedWhileReady) {
    problems.push("a connection was refused while SARK still reported ready");
  }
  if (answered < 100) problems.push(`only ${answered} requests answered: too little traffic to judge the drain`);
  const at = (ms) => (ms === undefined ? "never" : `${((ms - (timeline.stopAt ?? 0)) / 1000).toFixed(1)} s`);
  process.stdout.write(
    `drain: ${answered} requests answered 200, ${lost.length} lost; after the stop began: readiness 503 at ` +
      `${at(timeline.notReadyAt)}, first refused connection at ${at(timeline.firstRefusalAt)}, ` +
      `stopped at ${at(timeline.stoppedAt)}\n`,
  );
  return problems;
}

const problems = verdict(await sendTraffic());
for (const p of problems) process.stdout.write(`drain problem: ${p}\n`);
process.exitCode = problems.length === 0 ? 0 : 1;
