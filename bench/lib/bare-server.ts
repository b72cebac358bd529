import Fastify from "fastify";

// The simplest possible Fastify JSON route: the reference point for SARK's per-request overhead.
const app = Fastify({ logger: false });
app.get("/bare", async () => ({ ok: true, user: "bench" }));
await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT) });
process.stdout.write("listening on\n");
process.on("SIGTERM", () => void app.close().then(() => process.exit(0)));
