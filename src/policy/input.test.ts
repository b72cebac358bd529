import { describe, expect, it } from "vitest";
import type { PolicyUser } from "../core/policy-input.js";
import { buildInput, decisionIdentity, inputSensitivity, requestContext } from "./input.js";

const user: PolicyUser = {
  id: "u1",
  username: "alice",
  email: null,
  roles: ["developer"],
  teams: [],
  groups: [],
  auth_method: "password",
  mfa: false,
};
const server = {
  id: "s1",
  name: "files",
  transport: "stdio",
  sensitivity_level: "high" as const,
  owner_id: null,
  team_id: null,
  tags: [],
};

describe("policy input", () => {
  it("follows the contract, with flat server_name/tool_name aliases", () => {
    const tool = { name: "read", sensitivity_level: "low" as const, requires_approval: false, annotations: {} };
    const input = buildInput(
      user,
      "tool:invoke",
      { server, tool, parameters: { a: 1 } },
      requestContext(0, { ip: "10.0.0.1", userAgent: null, requestId: "r1" }, "production"),
    );
    expect(input).toMatchObject({
      action: "tool:invoke",
      server_name: "files",
      tool_name: "read",
      parameters: { a: 1 },
    });
    expect(input.context).toEqual({
      time: "1970-01-01T00:00:00.000Z",
      time_ns: 0,
      ip: "10.0.0.1",
      user_agent: null,
      request_id: "r1",
      environment: "production",
    });
    const bare = buildInput(user, "server:read", undefined, requestContext(0, undefined, "development"));
    expect(bare).toMatchObject({ server: null, tool: null, parameters: {}, server_name: null, tool_name: null });
  });

  it("keys the cache on everything but time and request id", () => {
    const at = (ms: number, requestId: string, ip = "1.1.1.1") =>
      buildInput(user, "server:read", { server }, requestContext(ms, { ip, userAgent: null, requestId }, "dev"));
    expect(decisionIdentity("r1", at(1, "a"))).toBe(decisionIdentity("r1", at(2, "b")));
    expect(decisionIdentity("r1", at(1, "a"))).not.toBe(decisionIdentity("r2", at(1, "a")));
    expect(decisionIdentity("r1", at(1, "a"))).not.toBe(decisionIdentity("r1", at(1, "a", "2.2.2.2")));
  });

  it("takes the stricter of tool and server sensitivity for the cache TTL", () => {
    const ctx = requestContext(0, undefined, "dev");
    const tool = { name: "t", sensitivity_level: "critical" as const, requires_approval: false, annotations: {} };
    expect(inputSensitivity(buildInput(user, "x", { server }, ctx))).toBe("high");
    expect(inputSensitivity(buildInput(user, "x", { server, tool }, ctx))).toBe("critical");
    expect(inputSensitivity(buildInput(user, "x", undefined, ctx))).toBe("medium");
  });
});
