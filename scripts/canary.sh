#!/usr/bin/env bash
# Manual canary releases of SARK installed with the deploy/k8s/canary component: the Deployment
# sark-canary sits behind the Service and the ingress-nginx canary Ingress sark-canary, which sends
# canary-weight percent of the host's requests to it. The usual steps are 10, 25, 50 and 100 percent,
# watching error rate and latency at each, then promote (or abort).
# Needs scripts/lib/rollout.sh beside it (copy both to wherever kubectl runs).
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: canary.sh [-n NAMESPACE] [--dry-run] COMMAND

Commands:
  status             the canary weight, and the image and readiness of sark and sark-canary
  deploy IMAGE       roll IMAGE out to sark-canary (starting it if parked); the weight is unchanged
  set-weight N       send N percent (0-100) of requests to the canary; refused above 0 unless the
                     canary is fully ready. Steps: 10, 25, 50, 100
  promote            give the Deployment sark the canary's image, wait for its rollout, then set
                     the weight to 0 and park the canary (0 replicas)
  abort              set the weight to 0 and park the canary

Options:
  -n, --namespace NAMESPACE   default: $SARK_NAMESPACE, else sark
  --dry-run                   print the changes instead of making them (reads still run)

Environment:
  KUBECTL           kubectl binary (default: kubectl)
  ROLLOUT_TIMEOUT   how long deploy and promote wait for a rollout (default: 10m)

Exit status: 0 done, 1 failed or refused, 2 wrong usage.
EOF
}

script_name=canary
kubectl_bin="${KUBECTL:-kubectl}"
namespace="${SARK_NAMESPACE:-sark}"
dry_run=false
rollout_timeout="${ROLLOUT_TIMEOUT:-10m}"
weight_annotation="nginx.ingress.kubernetes.io/canary-weight"

# shellcheck source=scripts/lib/rollout.sh
source "$(dirname "$0")/lib/rollout.sh"

canary_image() {
  kube get deployment sark-canary -o 'jsonpath={.spec.template.spec.containers[?(@.name=="sark")].image}'
}

set_weight() {
  change annotate ingress sark-canary --overwrite "$weight_annotation=$1"
}

park_canary() {
  set_weight 0
  change scale deployment/sark-canary --replicas=0
}

cmd_status() {
  local weight
  weight="$(kube get ingress sark-canary -o "jsonpath={.metadata.annotations.nginx\.ingress\.kubernetes\.io/canary-weight}")"
  echo "namespace: $namespace"
  echo "canary weight: ${weight:-0}%"
  describe_deployment sark || true
  describe_deployment sark-canary || true
}

cmd_deploy() {
  local image="$1" replicas
  replicas="$(kube get deployment sark-canary -o 'jsonpath={.spec.replicas}')"
  change set image deployment/sark-canary "sark=$image"
  # A parked canary starts with one pod; its autoscaler raises that to its minimum.
  [ "${replicas:-0}" -gt 0 ] || change scale deployment/sark-canary --replicas=1
  change rollout status deployment/sark-canary "--timeout=$rollout_timeout"
  echo "sark-canary runs $image; send it traffic with: canary.sh set-weight 10"
}

cmd_set_weight() {
  local weight="$1"
  if ! [[ "$weight" =~ ^[0-9]{1,3}$ ]] || [ "$((10#$weight))" -gt 100 ]; then
    usage_error "the weight is a whole percentage from 0 to 100, not '$weight'"
  fi
  weight="$((10#$weight))"
  if [ "$weight" -gt 0 ] && ! describe_deployment sark-canary; then
    fail "refusing to send traffic: sark-canary is not fully ready (canary.sh deploy IMAGE first)"
  fi
  set_weight "$weight"
  echo "canary weight: $weight%"
}

cmd_promote() {
  local image
  describe_deployment sark-canary || fail "refusing to promote: sark-canary is not fully ready"
  image="$(canary_image)"
  change set image deployment/sark "sark=$image"
  change rollout status deployment/sark "--timeout=$rollout_timeout"
  park_canary
  echo "sark runs $image; the canary is parked"
}

cmd_abort() {
  park_canary
  echo "canary weight: 0%; the canary is parked"
}

args=()
while [ $# -gt 0 ]; do
  case "$1" in
    -n | --namespace)
      [ $# -ge 2 ] || usage_error "$1 needs a namespace"
      namespace="$2"
      shift 2
      ;;
    --dry-run) dry_run=true && shift ;;
    -h | --help) usage && exit 0 ;;
    -*) usage_error "unknown option: $1" ;;
    *) args+=("$1") && shift ;;
  esac
done
[ ${#args[@]} -gt 0 ] || usage_error "no command"
command -v "$kubectl_bin" >/dev/null || fail "kubectl not found ($kubectl_bin); set KUBECTL"

case "${args[0]}" in
  status | promote | abort)
    [ ${#args[@]} -eq 1 ] || usage_error "${args[0]} takes no arguments"
    "cmd_${args[0]}"
    ;;
  deploy)
    [ ${#args[@]} -eq 2 ] || usage_error "deploy needs exactly one IMAGE"
    cmd_deploy "${args[1]}"
    ;;
  set-weight)
    [ ${#args[@]} -eq 2 ] || usage_error "set-weight needs a percentage"
    cmd_set_weight "${args[1]}"
    ;;
  *) usage_error "unknown command: ${args[0]}" ;;
esac
