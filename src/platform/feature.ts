import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from "fastify";

/** The Fastify instance type every route file receives (TypeBox-typed schemas). */
export type AppInstance = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export type ComponentStatus = "healthy" | "degraded" | "unhealthy";

export interface ComponentHealth {
  status: ComponentStatus;
  [detail: string]: unknown;
}

/**
 * What a feature contributes to the running service. `context.ts` lists the features; `app.ts`
 * mounts their routes; start/stop run in list order / reverse order; `health` feeds
 * `/health/detailed`.
 */
export interface Feature {
  readonly name: string;
  routes?(app: AppInstance): void | Promise<void>;
  start?(): Promise<void>;
  stop?(): Promise<void>;
  health?(): Promise<ComponentHealth>;
}
