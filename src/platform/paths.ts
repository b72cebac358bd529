import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The package root (the folder holding package.json). Works from `src/` under tsx and from
 * `dist/src/` after a build, so shipped assets (migrations, default policies) resolve the same way.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "migrations"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot locate the SARK package root (package.json with migrations/)");
    dir = parent;
  }
}
