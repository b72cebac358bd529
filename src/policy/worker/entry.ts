/**
 * Entry point of the policy worker thread (started by checker.ts): answers each request with the
 * outcome of `runCheck`, or with the message of an unexpected error.
 */
import { parentPort } from "node:worker_threads";
import { runCheck } from "./checks.js";
import { READY, type WorkerReply, type WorkerRequest } from "./protocol.js";

const port = parentPort;
if (port) {
  port.on("message", (msg: WorkerRequest) => {
    let reply: WorkerReply;
    try {
      reply = { id: msg.id, ok: true, result: runCheck(msg.req) };
    } catch (e) {
      reply = { id: msg.id, ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    port.postMessage(reply);
  });
  port.postMessage(READY);
}
