import { describe, expect, it } from "vitest";
import { readDatabaseConfig } from "./database.js";

const read = (env: Record<string, string>) => readDatabaseConfig(env, []);

describe("readDatabaseConfig", () => {
  it("builds DATABASE_URL from POSTGRES_* parts", () => {
    const c = read({ POSTGRES_HOST: "db", POSTGRES_USER: "u", POSTGRES_PASSWORD: "p@ss", POSTGRES_DB: "d" });
    expect(c.url).toBe("postgres://u:p%40ss@db:5432/d");
  });

  it("prefers DATABASE_URL over POSTGRES_* parts", () => {
    expect(read({ DATABASE_URL: "postgres://a:b@x/y", POSTGRES_HOST: "db" }).url).toBe("postgres://a:b@x/y");
  });
});
