import { describe, expect, it } from "vitest";
import { grantableScopes } from "../auth/roles.js";
import { ACTIONS } from "./actions.js";
import { missingScopeReason, SCOPES, scopeAllows, scopeCovers, scopesFor } from "./scopes.js";

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
    expect(scopesFor(ACTIONS.apiKeyManage)).toEqual(["api-keys:write"]);
  });

  it("allows by scope, write implies read, admin allows all", () => {
    expect(scopeAllows(["servers:read"], ACTIONS.serverRead)).toBe(true);
    expect(scopeAllows(["servers:read"], ACTIONS.serverRegister)).toBe(false);
    expect(scopeAllows(["servers:write"], ACTIONS.serverRead)).toBe(true);
    expect(scopeAllows(["admin"], ACTIONS.apiKeyManageAll)).toBe(true);
    expect(scopeAllows([], ACTIONS.serverRead)).toBe(false);
  });

  it("keeps key management to api-keys:write (or admin) and unknown actions admin-only", () => {
    expect(scopeAllows(["api-keys:write"], ACTIONS.apiKeyManage)).toBe(true);
    expect(scopeAllows(["users:write", "servers:write"], ACTIONS.apiKeyManage)).toBe(false);
    expect(scopeAllows(["servers:write"], "something:new")).toBe(false);
  });

  it("covers a scope by holding it, its write form, or admin", () => {
    expect(scopeCovers(["servers:write"], "servers:read")).toBe(true);
    expect(scopeCovers(["servers:read"], "servers:write")).toBe(false);
    expect(scopeCovers(["admin"], "users:write")).toBe(true);
    expect(scopeCovers(["api-keys:write", "servers:read"], "admin")).toBe(false);
  });

  it("lets each role grant only the scopes its actions need", () => {
    expect([...grantableScopes(["viewer"])].sort()).toEqual(["api-keys:write", "policies:read", "servers:read"]);
    expect(grantableScopes(["viewer", "developer"]).has("servers:write")).toBe(true);
    expect(grantableScopes(["security_admin"]).has("users:write")).toBe(false);
    expect(grantableScopes(["security_admin"]).has("admin")).toBe(false);
    expect(grantableScopes(["admin"]).has("admin")).toBe(true);
    expect(grantableScopes(["root"]).size).toBe(0);
    for (const role of ["admin", "security_admin", "developer", "analyst", "viewer"]) {
      for (const s of grantableScopes([role])) expect(SCOPES).toContain(s);
    }
  });

  it("names the missing scope in the reason", () => {
    expect(missingScopeReason(ACTIONS.userWrite)).toContain("users:write");
  });
});
