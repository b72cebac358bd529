import { availableParallelism } from "node:os";
import { configDefaults, defineConfig } from "vitest/config";

// CI asks for a JSON report per pass (embedded, PostgreSQL+Redis, Node 24) to print one summary.
const reportDir = process.env.SARK_TEST_REPORT_DIR;
const reportName = process.env.SARK_TEST_REPORT_NAME ?? "report";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Suites that drive real server and CLI processes (`*.slow.test.ts`: SIGKILL, SIGTERM drains,
    // the CLI end to end) cost 20-50 s each; `.ci/run` runs them in steps of their own on both
    // backends (SARK_SLOW_TESTS=1), so `npm test` stays near five minutes on two cores.
    // Suites that need helm and kubectl (`*.deploy.test.ts`, installed into .tools/ by
    // scripts/ci/install-deploy-tools.sh) run in their own `.ci/run` step (SARK_DEPLOY_TESTS=1).
    exclude: [
      ...configDefaults.exclude,
      ...(process.env.SARK_SLOW_TESTS === "1" ? [] : ["**/*.slow.test.ts"]),
      ...(process.env.SARK_DEPLOY_TESTS === "1" ? [] : ["**/*.deploy.test.ts"]),
    ],
    // Migrates one PGlite database that every PGlite test app starts from (test/helpers/app.ts).
    globalSetup: ["test/helpers/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Vitest's default leaves one core idle; most integration files wait on sockets, child
    // processes and the database, so one worker per core finishes the suite much sooner.
    maxWorkers: availableParallelism(),
    reporters: reportDir ? ["default", ["json", { outputFile: `${reportDir}/${reportName}.json` }]] : ["default"],
  },
});
