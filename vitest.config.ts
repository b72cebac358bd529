import { defineConfig } from "vitest/config";

// CI asks for a JSON report per pass (embedded, PostgreSQL+Redis, Node 24) to print one summary.
const reportDir = process.env.SARK_TEST_REPORT_DIR;
const reportName = process.env.SARK_TEST_REPORT_NAME ?? "report";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    reporters: reportDir ? ["default", ["json", { outputFile: `${reportDir}/${reportName}.json` }]] : ["default"],
  },
});
