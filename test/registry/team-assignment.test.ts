import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { BACKEND_LABEL } from "../helpers/backends.js";
import { serverBody } from "./fixtures.js";

interface ErrorBody {
  error: { code: string; message: string; details?: { items?: { error: { code: string; message: string } }[] } };
}

describe(`assigning a team requires membership (${BACKEND_LABEL})`, () => {
  let t: TestApp;
  let admin: string;
  let devB: string;
  let devA: string;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.adminToken();
    devB = await t.userToken("team-dev-b", ["developer"], ["teamB"]);
    devA = await t.userToken("team-dev-a", ["developer"], ["teamA"]);
  }, 60_000);
  afterAll(() => t.close());

  const post = (body: unknown, token: string) => t.request({ method: "POST", url: "/api/v1/servers", token, body });
  const patch = (id: string, body: unknown, token: string) =>
    t.request({ method: "PATCH", url: `/api/v1/servers/${id}`, token, body });

  it("create: a developer cannot register a server into a team they are not in", async () => {
    const res = await post(serverBody("team-create-foreign", { team: "teamA" }), devB);
    expect(res.statusCode).toBe(403);
    const error = (res.json() as ErrorBody).error;
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toContain("'teamA'");
    expect((await post(serverBody("team-create-own", { team: "teamB" }), devB)).statusCode).toBe(201);
    expect((await post(serverBody("team-create-none"), devB)).statusCode).toBe(201);
    expect((await post(serverBody("team-create-admin", { team: "teamA" }), admin)).statusCode).toBe(201);
  });

  it("update: a developer cannot move their own server into another team, but can within their own", async () => {
    const id = (await post(serverBody("team-move", { team: "teamB" }), devB)).json().id as string;
    const res = await patch(id, { team: "teamA" }, devB);
    expect(res.statusCode).toBe(403);
    expect((res.json() as ErrorBody).error.message).toContain("'teamA'");
    const unchanged = await t.request({ method: "GET", url: `/api/v1/servers/${id}`, token: admin });
    expect(unchanged.json().team).toBe("teamB");
    // Leaving the team, and unrelated changes, stay allowed; an admin may move it anywhere.
    expect((await patch(id, { description: "still mine" }, devB)).statusCode).toBe(200);
    expect((await patch(id, { team: null }, devB)).statusCode).toBe(200);
    expect((await patch(id, { team: "teamA" }, admin)).json().team).toBe("teamA");
  });

  it("bulk: every item assigning a foreign team fails, in both modes", async () => {
    const servers = [
      serverBody("team-bulk-own", { team: "teamB" }),
      serverBody("team-bulk-foreign", { team: "teamA" }),
    ];
    const tx = await t.request({
      method: "POST",
      url: "/api/v1/servers/bulk",
      token: devB,
      body: { mode: "transactional", servers },
    });
    expect(tx.statusCode).toBe(403);
    expect((tx.json() as ErrorBody).error.details?.items?.[0]?.error.message).toContain("'teamA'");
    const best = await t.request({
      method: "POST",
      url: "/api/v1/servers/bulk",
      token: devB,
      body: { mode: "best_effort", servers },
    });
    expect(best.statusCode).toBe(200);
    const results = best.json().results as { index: number; status: number }[];
    expect(results.map((r) => r.status)).toEqual([201, 403]);
  });

  it("membership kept in policy data counts too", async () => {
    const put = await t.request({
      method: "PUT",
      url: "/api/v1/policies/data/sark/teams",
      token: admin,
      body: { teamC: { members: ["team-dev-a"] } },
    });
    expect(put.statusCode).toBe(200);
    expect((await post(serverBody("team-data-member", { team: "teamC" }), devA)).statusCode).toBe(201);
    expect((await post(serverBody("team-data-other", { team: "teamC" }), devB)).statusCode).toBe(403);
  });
});
