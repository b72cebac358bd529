# shellcheck shell=bash
# shellcheck disable=SC2154 # script_name, kubectl_bin, namespace, dry_run: set by the sourcing script
# What scripts/blue-green.sh and scripts/canary.sh share: kubectl in the chosen namespace, changes
# that --dry-run prints instead of making, and the readiness verdict on a SARK Deployment.
# The sourcing script sets script_name, kubectl_bin, namespace and dry_run, and defines usage.

fail() {
  echo "$script_name: $*" >&2
  exit 1
}

usage_error() {
  echo "$script_name: $*" >&2
  usage >&2
  exit 2
}

kube() {
  "$kubectl_bin" -n "$namespace" "$@"
}

# Runs a change, or prints it with --dry-run.
change() {
  if [ "$dry_run" = true ]; then
    echo "dry-run: $kubectl_bin -n $namespace $*"
  else
    kube "$@"
  fi
}

# "image|wanted|current|updated|ready|generation|observedGeneration" of a Deployment.
deployment_state() {
  kube get deployment "$1" -o 'jsonpath={.spec.template.spec.containers[?(@.name=="sark")].image}|{.spec.replicas}|{.status.replicas}|{.status.updatedReplicas}|{.status.readyReplicas}|{.metadata.generation}|{.status.observedGeneration}'
}

# Prints a one-line summary of a Deployment; returns 0 when the controller has seen its latest
# spec and every wanted replica runs the current template and is ready (a rollout still in
# progress, or old pods still counted, is "not ready").
describe_deployment() {
  local image wanted current updated ready generation observed
  IFS='|' read -r image wanted current updated ready generation observed <<<"$(deployment_state "$1")"
  wanted="${wanted:-0}" current="${current:-0}" updated="${updated:-0}" ready="${ready:-0}"
  local verdict="ready"
  if [ "$wanted" -eq 0 ]; then
    verdict="parked (0 replicas)"
  elif [ "${observed:-0}" -lt "${generation:-1}" ] || [ "$updated" -ne "$wanted" ] ||
    [ "$ready" -ne "$wanted" ] || [ "$current" -ne "$wanted" ]; then
    verdict="not ready"
  fi
  echo "$1: $image, $ready/$wanted ready, $updated updated, $verdict"
  [ "$verdict" = ready ]
}
