/**
 * A stand-in kubectl for testing the rollout scripts (scripts/blue-green.sh, scripts/canary.sh)
 * without a cluster. It is a small bash script in a temporary directory that records every call's
 * arguments and answers from canned replies, so a test can assert the exact kubectl calls a
 * subcommand makes, and the calls it must not make.
 *
 * A reply matches a call whose arguments begin with the reply's `args`; the first match wins.
 * A `get` without a reply fails the way kubectl does for a missing object; any other call succeeds
 * silently (a change the script makes).
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./tools.js";

export interface CannedReply {
  args: string[];
  stdout?: string;
  exitCode?: number;
}

export interface FakeKubectl {
  /** Path of the fake binary, for the scripts' KUBECTL variable. */
  readonly path: string;
  /** Directory for other fakes a test needs (a smoke test script). */
  readonly dir: string;
  /** The arguments of every call so far, in order. */
  calls(): string[][];
  remove(): void;
}

// Arguments are joined with tabs: none of the scripts' arguments contains one.
const FAKE = `#!/usr/bin/env bash
set -euo pipefail
dir="$(dirname "$0")"
call="$(IFS=$'\\t'; printf '%s' "$*")"
printf '%s\\n' "$call" >>"$dir/calls.log"
for args_file in "$dir"/replies/*.args; do
  [ -e "$args_file" ] || break
  prefix="$(cat "$args_file")"
  if [ "$call" = "$prefix" ] || [[ "$call" == "$prefix"$'\\t'* ]]; then
    cat "\${args_file%.args}.out"
    exit "$(cat "\${args_file%.args}.code")"
  fi
done
for arg in "$@"; do
  if [ "$arg" = get ]; then
    echo "Error from server (NotFound): fake kubectl has no reply for: $*" >&2
    exit 1
  fi
done
`;

/** Creates the fake with its replies; call `remove()` when done. */
export function createFakeKubectl(replies: CannedReply[]): FakeKubectl {
  const dir = mkdtempSync(join(tmpdir(), "sark-fake-kubectl-"));
  mkdirSync(join(dir, "replies"));
  replies.forEach((reply, index) => {
    const base = join(dir, "replies", String(index).padStart(3, "0"));
    writeFileSync(`${base}.args`, reply.args.join("\t"));
    writeFileSync(`${base}.out`, reply.stdout ?? "");
    writeFileSync(`${base}.code`, String(reply.exitCode ?? 0));
  });
  const path = join(dir, "kubectl");
  writeFileSync(path, FAKE);
  chmodSync(path, 0o755);
  writeFileSync(join(dir, "calls.log"), "");
  return {
    path,
    dir,
    calls: () =>
      readFileSync(join(dir, "calls.log"), "utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => line.split("\t")),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface ScriptResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs scripts/NAME with the fake as its kubectl and no namespace from the caller's environment. */
export function runScript(
  name: string,
  args: string[],
  fake: FakeKubectl,
  env: Record<string, string> = {},
): ScriptResult {
  const { SARK_NAMESPACE: _ignored, ...inherited } = process.env;
  const result = spawnSync("bash", [join(repoRoot, "scripts", name), ...args], {
    env: { ...inherited, KUBECTL: fake.path, ...env },
    encoding: "utf8",
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The `-o` argument of the scripts' `deployment_state` read, whose answer `deploymentState` builds. */
export const STATE_OUTPUT =
  'jsonpath={.spec.template.spec.containers[?(@.name=="sark")].image}|{.spec.replicas}|{.status.replicas}|{.status.updatedReplicas}|{.status.readyReplicas}|{.metadata.generation}|{.status.observedGeneration}';

/** What `deployment_state` in the scripts reads: image|wanted|current|updated|ready|generation|observed. */
export function deploymentState(state: {
  image: string;
  wanted: number;
  ready: number;
  updated?: number;
  current?: number;
  generation?: number;
  observed?: number;
}): string {
  const { image, wanted, ready } = state;
  const updated = state.updated ?? wanted;
  const current = state.current ?? wanted;
  const generation = state.generation ?? 2;
  const observed = state.observed ?? generation;
  return [image, wanted, current, updated, ready, generation, observed].join("|");
}
