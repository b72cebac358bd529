import { describe, expect, it } from "vitest";
import { ACTIONS } from "../policy/actions.js";
import { missingScopeReason, SCOPES, scopeAllows, scopesFor } from "./scopes.js";

describe("scopes", () => {
  it("maps the actions to catalogue scopes (key management stays admin-only)", () => {
    const mapped = Object.values(ACTIONS).filter((a) => scopesFor(a).length > 0);
    expect(mapped).toEqual(
      expect.arrayContaining([
        "server:read",
        "server:register",
        "tool:invoke",
        "user:write",
        "audit:read",
        "siem:test",
      ]),
    );
    for (const action of mapped) for (const s of scopesFor(action)) expect(SCOPES).toContain(s);
    expect(scopesFor(ACTIONS.apiKeyManage)).toEqual([]);
  });

  it("allows by scope, write implies read, admin allows all", () => {
    expect(scopeAllows(["servers:read"], ACTIONS.serverRead)).toBe(true);
    expect(scopeAllows(["servers:read"], ACTIONS.serverRegister)).toBe(false);
    expect(scopeAllows(["servers:write"], ACTIONS.serverRead)).toBe(true);
    expect(scopeAllows(["admin"], ACTIONS.apiKeyManageAll)).toBe(true);
    expect(scopeAllows([], ACTIONS.serverRead)).toBe(false);
  });

  it("keeps key management and unknown actions admin-only", () => {
    expect(scopeAllows(["users:write", "servers:write"], ACTIONS.apiKeyManage)).toBe(false);
    expect(scopeAllows(["servers:write"], "something:new")).toBe(false);
  });

  it("names the missing scope in the reason", () => {
    expect(missingScopeReason(ACTIONS.userWrite)).toContain("users:write");
  });
});
