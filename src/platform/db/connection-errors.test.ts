import { describe, expect, it } from "vitest";
import { isConnectionFailure } from "./connection-errors.js";

const withCode = (code: string, message = "x") => Object.assign(new Error(message), { code });

describe("isConnectionFailure", () => {
  it.each([
    ["admin shutdown (pg_terminate_backend)", withCode("57P01")],
    ["crash shutdown", withCode("57P02")],
    ["cannot connect now", withCode("57P03")],
    ["connection exception class 08", withCode("08006")],
    ["too many connections", withCode("53300")],
    ["refused", withCode("ECONNREFUSED")],
    ["reset", withCode("ECONNRESET")],
    ["timed out", withCode("ETIMEDOUT")],
    ["ended connection", new Error("Connection terminated unexpectedly")],
    ["pool connect timeout", new Error("timeout exceeded when trying to connect")],
    ["broken client", new Error("Client has encountered a connection error and is not queryable")],
    ["wrapped in a cause", new Error("loading failed", { cause: withCode("57P01") })],
    ["inside an AggregateError", new AggregateError([withCode("ECONNREFUSED")])],
  ])("%s is one", (_name, error) => {
    expect(isConnectionFailure(error)).toBe(true);
  });

  it.each([
    ["a unique violation", withCode("23505")],
    ["a syntax error", withCode("42601")],
    ["invalid text representation", withCode("22P02")],
    ["a plain error", new Error("boom")],
    ["a string", "Connection terminated"],
    ["undefined", undefined],
  ])("%s is not", (_name, error) => {
    expect(isConnectionFailure(error)).toBe(false);
  });
});
