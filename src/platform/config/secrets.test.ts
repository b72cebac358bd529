import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { secretWeakness } from "./secrets.js";

describe("secretWeakness", () => {
  it("accepts random secrets, hex ones included", () => {
    for (let i = 0; i < 200; i++) {
      for (const secret of [randomBytes(16).toString("hex"), randomBytes(32).toString("base64url")]) {
        expect(secretWeakness(secret), secret).toBeUndefined();
      }
    }
  });
});
