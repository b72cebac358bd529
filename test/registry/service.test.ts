import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Caller } from "../../src/core/caller.js";
import { createServerExport } from "../../src/registry/export.js";
import { createRegistryService, type RegistryService } from "../../src/registry/registry-services.js";
import { createRegistryCore } from "../../src/registry/service.js";
import type { ServerInput } from "../../src/registry/types.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { directCaller, parseCsv, serverBody } from "./fixtures.js";

/**
 * Service-level checks on the real database (no HTTP): what the routes rely on, reachable even
 * without a login. The HTTP contract is covered by the other files in this folder.
 */
describe("registry service", () => {
  let t: TestApp;
  let svc: RegistryService;
  let admin: Caller;
  let viewer: Caller;

  beforeAll(async () => {
    t = await createTestApp();
    svc = createRegistryService({
      database: t.ctx.database,
      audit: t.ctx.audit,
      authorizer: t.ctx.authorizer,
      clock: t.ctx.clock,
      logger: t.ctx.logger,
      cacheRefreshMs: 0,
    });
    admin = await directCaller(t, "svc-admin", ["admin"]);
    viewer = await directCaller(t, "svc-viewer", ["viewer"]);
  });
  afterAll(async () => t?.close());

  const input = (name: string, o: Record<string, unknown> = {}) => serverBody(name, o) as unknown as ServerInput;

  it("registers a server with classified tools and the caller as owner", async () => {
    const s = await svc.crud.register(admin, input("svc-one"));
    expect(s.owner_id).toBe(admin.principal.id);
    expect(s.tools?.map((x) => [x.name, x.sensitivity_level, x.sensitivity_source])).toEqual([
      ["delete_file", "high", "auto"],
      ["read_file", "low", "auto"],
    ]);
    expect(s.sensitivity_level).toBe("high");
    expect(s.tags).toEqual(["test"]);
    const again = await svc.crud.get(viewer, s.id);
    expect(again.tools?.[1]?.input_schema).toEqual({
      type: "object",
      properties: { path: { type: "string" } },
      required: ["path"],
    });
  });

  it("stores stdio args as JSON and env names as an array", async () => {
    const s = await svc.crud.register(
      admin,
      input("svc-stdio", {
        transport: "stdio",
        endpoint: undefined,
        command: "npx",
        args: ["-y", "a,b"],
        env: ["GITHUB_TOKEN"],
      }),
    );
    expect(s).toMatchObject({ command: "npx", args: ["-y", "a,b"], env: ["GITHUB_TOKEN"], endpoint: null });
  });

  it("rejects a case-insensitive duplicate name with CONFLICT", async () => {
    await expect(svc.crud.register(admin, input("SVC-ONE"))).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("denies registration to a viewer", async () => {
    await expect(svc.crud.register(viewer, input("svc-denied"))).rejects.toMatchObject({ code: "POLICY_DENIED" });
  });

  it("filters by tag, search and owner=me with escaped wildcards", async () => {
    await svc.crud.register(admin, input("svc_percent%", { tags: ["odd"] }));
    await svc.crud.register(admin, input("svcXpercentY", { tags: ["odd"] }));
    const byTag = await svc.listing.list(admin, { tag: "odd,none" });
    expect(byTag.items.map((s) => s.name).sort()).toEqual(["svcXpercentY", "svc_percent%"]);
    const literal = await svc.listing.list(admin, { search: "_PERCENT%" });
    expect(literal.items.map((s) => s.name)).toEqual(["svc_percent%"]);
    const mine = await svc.listing.list(admin, { owner: "me", include_total: true });
    expect(mine.total).toBe(mine.items.length);
    expect(mine.items.every((s) => s.owner_id === admin.principal.id)).toBe(true);
  });

  it("rejects a patch whose merged result breaks the transport rules", async () => {
    const s = await svc.crud.register(admin, input("svc-patch"));
    await expect(svc.crud.update(admin, s.id, { transport: "stdio" })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
    const moved = await svc.crud.update(admin, s.id, { transport: "stdio", endpoint: null, command: "node" });
    expect(moved).toMatchObject({ transport: "stdio", endpoint: null, command: "node" });
  });

  it("export walks keyset batches without losing or repeating rows at batch edges", async () => {
    const core = createRegistryCore({
      database: t.ctx.database,
      audit: t.ctx.audit,
      authorizer: t.ctx.authorizer,
      clock: t.ctx.clock,
    });
    const exporter = createServerExport(core, 3);
    const all = await svc.listing.list(admin, { limit: 200 });
    const read = async (format: "csv" | "json") => {
      let text = "";
      for await (const chunk of await exporter.open(admin, format, {})) text += String(chunk);
      return text;
    };
    const csvIds = parseCsv(await read("csv"))
      .slice(1)
      .map((r) => r[0]);
    expect(csvIds).toEqual(all.items.map((s) => s.id));
    const json = JSON.parse(await read("json")) as Array<{ id: string; tools: unknown[] }>;
    expect(json.map((s) => s.id)).toEqual(all.items.map((s) => s.id));
    expect(json.every((s) => Array.isArray(s.tools))).toBe(true);
    expect(all.items.length).toBeGreaterThan(3);
  });
});
