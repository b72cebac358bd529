import type { Feature } from "../platform/feature.js";
import { type HealthDeps, healthRoutes } from "./routes.js";

/** Probes (`/health/*`, `/ready`) and `/metrics`. */
export function createHealth(deps: HealthDeps): Feature {
  return { name: "health", routes: healthRoutes(deps) };
}
