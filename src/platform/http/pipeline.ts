import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from "fastify";

/**
 * One named stage of the request pipeline (docs/ARCHITECTURE.md "Request pipeline"). A step may
 * set headers or request state, or throw an AppError to end the request; it never sends a reply.
 */
export interface PipelineStep {
  readonly name: string;
  run(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}

/**
 * Runs the steps in order as one `onRequest` hook: a feature adds a step to the list instead of
 * editing a hook, and one hook costs less per request than one hook per step.
 */
export function pipelineHook(steps: readonly PipelineStep[]): onRequestAsyncHookHandler {
  return async (request, reply) => {
    for (const step of steps) await step.run(request, reply);
  };
}
