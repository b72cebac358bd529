/**
 * The helm and kubectl binaries that scripts/ci/install-deploy-tools.sh puts in .tools/bin. The
 * deploy suites run only when asked (SARK_DEPLOY_TESTS=1), so a missing binary is an error with
 * the command that fixes it, never a silent skip.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

export const repoRoot = resolve(import.meta.dirname, "../../..");

const run = promisify(execFile);

function tool(name: "helm" | "kubectl"): string {
  const path = join(repoRoot, ".tools", "bin", name);
  if (!existsSync(path)) throw new Error(`${path} is missing: run scripts/ci/install-deploy-tools.sh`);
  return path;
}

/** Runs helm with the given arguments from the repository root; rejects with its stderr on failure. */
export async function helm(args: string[]): Promise<string> {
  return runTool(tool("helm"), args);
}

/** Runs kubectl (client-only commands such as `kustomize`) from the repository root. */
export async function kubectl(args: string[]): Promise<string> {
  return runTool(tool("kubectl"), args);
}

async function runTool(path: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(path, args, { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const failure = error as { stderr?: string; message: string };
    throw new Error(`${path} ${args.join(" ")} failed: ${failure.stderr?.trim() || failure.message}`);
  }
}
