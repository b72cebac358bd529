import { describe, expect, it } from "vitest";
import { detectSensitivity, words } from "./classifier.js";

describe("words", () => {
  it("splits camelCase, snake_case, kebab-case and prose", () => {
    expect(words("getAPIKey")).toEqual(["get", "api", "key"]);
    expect(words("delete_user-record.v2")).toEqual(["delete", "user", "record", "v2"]);
    expect(words("Reads a File, fast!")).toEqual(["reads", "a", "file", "fast"]);
  });
});

describe("detectSensitivity", () => {
  it.each([
    ["get_secret", "", "critical", "credentials"],
    ["rotateApiKey", "", "critical", "credentials"],
    ["list_users", "Lists users and their password hashes", "critical", "credentials"],
    ["delete_file", "", "high", "destructive"],
    ["dropTable", "", "high", "destructive"],
    ["cleanup", "Removes old rows", "high", "destructive"],
    ["read_file", "", "low", "read_only"],
    ["searchIssues", "Search GitHub issues", "low", "read_only"],
    ["create_issue", "Opens an issue", "medium", "default"],
  ])("%s / %s → %s (%s)", (name, description, level, rule) => {
    const d = detectSensitivity({ name, description });
    expect(d.sensitivity_level).toBe(level);
    expect(d.rule).toBe(rule);
  });

  it("credentials outrank destructive verbs, which outrank read-only verbs", () => {
    expect(detectSensitivity({ name: "delete_token" }).sensitivity_level).toBe("critical");
    expect(detectSensitivity({ name: "get_and_delete" }).sensitivity_level).toBe("high");
  });

  it("honours MCP annotations as hints", () => {
    expect(detectSensitivity({ name: "sync", annotations: { destructiveHint: true } })).toEqual({
      sensitivity_level: "high",
      rule: "destructive",
      matched: ["destructiveHint"],
    });
    expect(detectSensitivity({ name: "sync", annotations: { readOnlyHint: true } }).sensitivity_level).toBe("low");
  });

  it("does not take read-only verbs from the description", () => {
    expect(detectSensitivity({ name: "weather", description: "get the forecast" }).sensitivity_level).toBe("medium");
  });

  it("reports the words that matched", () => {
    expect(detectSensitivity({ name: "remove_user", description: "remove a user" }).matched).toEqual(["remove"]);
  });
});
