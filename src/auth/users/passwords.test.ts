import { describe, expect, it } from "vitest";
import { dummyPasswordHash, hashPassword, verifyPassword } from "./passwords.js";

describe("passwords", () => {
  it("hashes in the scrypt$N$r$p$salt$hash format and verifies", async () => {
    const hash = await hashPassword("correct horse battery");
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(await verifyPassword("correct horse battery", hash)).toBe(true);
    expect(await verifyPassword("correct horse batterY", hash)).toBe(false);
  });

  it("salts every hash", async () => {
    expect(await hashPassword("same password")).not.toBe(await hashPassword("same password"));
  });

  it("treats malformed hashes as a mismatch", async () => {
    for (const bad of ["", "plain", "scrypt$x$8$1$abc$def", "bcrypt$1$2$3$4$5", "scrypt$16384$8$1$abc$"]) {
      expect(await verifyPassword("anything", bad)).toBe(false);
    }
  });

  it("keeps one dummy hash that matches no chosen password", async () => {
    const a = await dummyPasswordHash();
    expect(await dummyPasswordHash()).toBe(a);
    expect(await verifyPassword("", a)).toBe(false);
  });
});
