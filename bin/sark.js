#!/usr/bin/env node
// Runs the compiled CLI; `npm run build` (or `npm start`, which builds first) produces it.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const entry = new URL("../dist/src/main.js", import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write("sark: not built yet; run `npm run build` first\n");
  process.exit(1);
}
await import(entry.href);
