import type { LightMyRequestResponse } from "fastify";
import { expect } from "vitest";
import { usernameKey } from "../../src/auth/login-protection/rules.js";
import type { AuthTables } from "../../src/auth/tables.js";
import type { TestApp } from "./app.js";

/** A clock starting now that only moves when a test says so. */
export function manualClock() {
  let nowMs = Date.now();
  return {
    clock: { now: () => nowMs },
    advance(seconds: number) {
      nowMs += seconds * 1000;
    },
    now: () => nowMs,
  };
}

/**
 * The address a username logs in from unless a test picks one: its own per username, so no address
 * comes near the general per-address request limit however many tests run on one app.
 */
const addresses = new Map<string, string>();
export function addressOf(username: string): string {
  const known = addresses.get(username.toLowerCase());
  if (known) return known;
  const ip = `10.0.${addresses.size + 1}.7`;
  addresses.set(username.toLowerCase(), ip);
  return ip;
}

/** Helpers over one app: logins from a chosen address, users, admin calls. */
export function harness(t: () => TestApp) {
  const attempt = (username: string, password: string, ip = addressOf(username)) =>
    t().app.inject({ method: "POST", url: "/api/v1/auth/login", remoteAddress: ip, payload: { username, password } });
  const passwordOf = (username: string) => `${username}-password-123`;
  return {
    attempt,
    passwordOf,
    /** Wrong passwords from `ip`; returns the status codes. */
    async fail(username: string, times: number, ip = addressOf(username)): Promise<number[]> {
      const codes: number[] = [];
      for (let i = 0; i < times; i++) codes.push((await attempt(username, `wrong-password-${i}`, ip)).statusCode);
      return codes;
    },
    async createUser(username: string): Promise<string> {
      const res = await t().request({
        method: "POST",
        url: "/api/v1/users",
        token: await t().adminToken(),
        body: { username, password: passwordOf(username), roles: ["viewer"] },
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json<{ id: string }>().id;
    },
    /** Rows of a username: its per-address counters and (address `*`) the username-wide one. */
    async counters(username: string): Promise<{ address_key: string; failures: number }[]> {
      return t()
        .ctx.database.db.withTables<AuthTables>()
        .selectFrom("auth_login_throttles")
        .select(["address_key", "failures"])
        .where("username_key", "=", usernameKey(username))
        .orderBy("address_key")
        .execute();
    },
  };
}

/**
 * What a client sees of a response, minus the request id (unique per request by design) and the
 * general request limit's headers: those report the address's request budget, which depends on its
 * traffic and timing (Redis refills in real time), never on the username.
 */
export function visible(res: LightMyRequestResponse) {
  const { "x-request-id": _id, date: _date, ...all } = res.headers;
  const headers = Object.fromEntries(Object.entries(all).filter(([name]) => !/^(x-)?ratelimit/.test(name)));
  const { request_id: _rid, ...error } = res.json<{ error: { request_id: string } }>().error;
  return { status: res.statusCode, headers, error };
}
