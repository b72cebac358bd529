import type { Server } from "node:http";
import { Server as NetServer } from "node:net";

/**
 * From now on every response tells its client to reconnect elsewhere (`Connection: close`), and
 * Node closes each connection once its response is sent. Set at the socket level (first listener)
 * so responses Fastify sends before any hook runs (CORS preflights, router errors) carry it too.
 */
export function closeConnectionsAfterResponse(server: Server): void {
  server.prependListener("request", (_req, res) => {
    res.shouldKeepAlive = false;
  });
}

/**
 * How long a connection that was open but idle when the listener closed may still deliver a
 * request. Covers a freshly accepted connection whose request is on its way, and a client that
 * picked an idle keep-alive connection just before the close; after it, idle connections are ones
 * no client is using, and closing them cannot reset a request.
 */
const IDLE_SETTLE_MS = 1000;

/**
 * Stops accepting connections and resolves once every open connection has ended: each in-flight
 * or newly arriving request is answered (with `Connection: close`, see above) and its connection
 * then closes; connections still idle after IDLE_SETTLE_MS are closed; after `graceMs` everything
 * left is. Not `http.Server#close`, which (since Node 19) closes idle connections at once,
 * including freshly accepted ones whose request has not been parsed yet: their clients saw a
 * reset for a request they had sent.
 */
export function stopAcceptingAndDrain(server: Server, graceMs: number, onGraceOver: () => void): Promise<void> {
  return new Promise((resolve) => {
    const settle = setTimeout(() => server.closeIdleConnections(), Math.min(IDLE_SETTLE_MS, graceMs));
    const force = setTimeout(() => {
      onGraceOver();
      server.closeAllConnections();
    }, graceMs);
    NetServer.prototype.close.call(server, () => {
      clearTimeout(settle);
      clearTimeout(force);
      resolve();
    });
  });
}
