/**
 * Golden renders of the staging and prod values, committed so every change to what the chart
 * deploys shows up in review. Renders are deterministic: a fixed release name and namespace, and
 * no random, time or cluster lookups in the templates.
 * Regenerate after an intended change:
 *   UPDATE_GOLDEN=1 SARK_DEPLOY_TESTS=1 npx vitest run test/deploy/helm-golden.deploy.test.ts
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderText, valuesFiles } from "./support/helm-render.js";
import { repoRoot } from "./support/tools.js";

const regenerate = "UPDATE_GOLDEN=1 SARK_DEPLOY_TESTS=1 npx vitest run test/deploy/helm-golden.deploy.test.ts";

describe.each([
  ["staging", valuesFiles.staging],
  ["prod", valuesFiles.prod],
])("the %s render", (name, file) => {
  const golden = join(repoRoot, "test/deploy/golden", `helm-${name}.yaml`);

  it("matches its golden file", async () => {
    const rendered = await renderText({ files: [file] });
    expect(await renderText({ files: [file] }), "two renders differ: the chart is not deterministic").toBe(rendered);
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(golden, rendered);
    expect(existsSync(golden), `${golden} is missing; create it with: ${regenerate}`).toBe(true);
    expect(rendered, `the chart's ${name} render drifted from its golden file; if intended, run: ${regenerate}`).toBe(
      readFileSync(golden, "utf8"),
    );
  });
});
