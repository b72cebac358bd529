#!/usr/bin/env bash
# Blue-green releases of SARK installed with the deploy/k8s/blue-green component: two Deployments,
# sark-blue and sark-green; the Service sark sends traffic to the live colour and sark-preview to
# the idle one. This script owns the colour in both Services' selectors (the manifests name none, so
# re-applying them never moves traffic) and records the colour a switch replaced, for rollback.
# Needs scripts/lib/rollout.sh beside it (copy both to wherever kubectl runs).
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: blue-green.sh [-n NAMESPACE] [--dry-run] COMMAND

Commands:
  status                           the live colour, and the image and readiness of both colours
  deploy IMAGE [--smoke-url URL]   roll IMAGE out to the idle colour at the live colour's size,
                                   point sark-preview at it, and with --smoke-url run the smoke
                                   test against URL (e.g. a port-forward to svc/sark-preview)
  switch blue|green                send all traffic to that colour; refused unless every one of
                                   its replicas runs the current template and is ready
  rollback                         switch back to the colour that was live before the last switch

Options:
  -n, --namespace NAMESPACE        default: $SARK_NAMESPACE, else sark
  --dry-run                        print the changes instead of making them (reads still run)

Environment:
  KUBECTL           kubectl binary (default: kubectl)
  SARK_SMOKE_TEST   smoke test command, given the URL (default: smoke-test.sh beside this script)
  ROLLOUT_TIMEOUT   how long deploy waits for the rollout (default: 10m)

Exit status: 0 done, 1 failed or refused, 2 wrong usage.
EOF
}

script_name=blue-green
kubectl_bin="${KUBECTL:-kubectl}"
namespace="${SARK_NAMESPACE:-sark}"
dry_run=false
smoke_url=""
smoke_test="${SARK_SMOKE_TEST:-$(dirname "$0")/smoke-test.sh}"
rollout_timeout="${ROLLOUT_TIMEOUT:-10m}"
color_key='sark\.io/color'
previous_key='sark\.io/previous-color'

# shellcheck source=scripts/lib/rollout.sh
source "$(dirname "$0")/lib/rollout.sh"

other_color() {
  if [ "$1" = blue ]; then echo green; else echo blue; fi
}

live_color() {
  kube get service sark -o "jsonpath={.spec.selector.$color_key}"
}

select_color() {
  local service="$1" color="$2" annotations="${3:-}"
  change patch service "$service" --type=merge \
    -p "{${annotations}\"spec\":{\"selector\":{\"sark.io/color\":\"$color\"}}}"
}

cmd_status() {
  local live previous
  live="$(live_color)"
  previous="$(kube get service sark -o "jsonpath={.metadata.annotations.$previous_key}")"
  echo "namespace: $namespace"
  echo "live: ${live:-none (the Service sark selects both colours; run: blue-green.sh switch blue)}"
  [ -z "$previous" ] || echo "previous: $previous"
  describe_deployment sark-blue || true
  describe_deployment sark-green || true
}

cmd_deploy() {
  local image="$1" live idle replicas
  live="$(live_color)"
  [ -n "$live" ] || fail "no live colour yet: run 'blue-green.sh switch blue' once after the first apply"
  idle="$(other_color "$live")"
  replicas="$(kube get deployment "sark-$live" -o 'jsonpath={.spec.replicas}')"
  [ "${replicas:-0}" -gt 0 ] || replicas=1
  change set image "deployment/sark-$idle" "sark=$image"
  change scale "deployment/sark-$idle" "--replicas=$replicas"
  change rollout status "deployment/sark-$idle" "--timeout=$rollout_timeout"
  select_color sark-preview "$idle"
  if [ -n "$smoke_url" ]; then
    if [ "$dry_run" = true ]; then
      echo "dry-run: $smoke_test $smoke_url"
    else
      "$smoke_test" "$smoke_url" || fail "smoke test failed against $smoke_url; sark-$live keeps the traffic"
    fi
  fi
  echo "sark-$idle runs $image; send traffic to it with: blue-green.sh switch $idle"
}

cmd_switch() {
  local target="$1" live
  if ! describe_deployment "sark-$target"; then
    fail "refusing to switch: sark-$target is not fully ready (blue-green.sh deploy, or kubectl rollout status)"
  fi
  live="$(live_color)"
  if [ "$live" = "$target" ]; then
    echo "sark-$target is already live"
    return
  fi
  local record=""
  [ -z "$live" ] || record="\"metadata\":{\"annotations\":{\"sark.io/previous-color\":\"$live\"}},"
  select_color sark "$target" "$record"
  select_color sark-preview "$(other_color "$target")"
  echo "traffic: sark-$target${live:+ (was sark-$live; undo with: blue-green.sh rollback)}"
}

cmd_rollback() {
  local previous
  previous="$(kube get service sark -o "jsonpath={.metadata.annotations.$previous_key}")"
  [ -n "$previous" ] || fail "no previous colour recorded on the Service sark: nothing to roll back to"
  cmd_switch "$previous"
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
    --smoke-url)
      [ $# -ge 2 ] || usage_error "--smoke-url needs a URL"
      smoke_url="$2"
      shift 2
      ;;
    -h | --help) usage && exit 0 ;;
    -*) usage_error "unknown option: $1" ;;
    *) args+=("$1") && shift ;;
  esac
done
[ ${#args[@]} -gt 0 ] || usage_error "no command"
[ -z "$smoke_url" ] || [ "${args[0]}" = deploy ] || usage_error "--smoke-url goes with deploy"
command -v "$kubectl_bin" >/dev/null || fail "kubectl not found ($kubectl_bin); set KUBECTL"

case "${args[0]}" in
  status)
    [ ${#args[@]} -eq 1 ] || usage_error "status takes no arguments"
    cmd_status
    ;;
  deploy)
    [ ${#args[@]} -eq 2 ] || usage_error "deploy needs exactly one IMAGE"
    cmd_deploy "${args[1]}"
    ;;
  switch)
    [ ${#args[@]} -eq 2 ] || usage_error "switch needs a colour: blue or green"
    case "${args[1]}" in
      blue | green) cmd_switch "${args[1]}" ;;
      *) usage_error "unknown colour: ${args[1]} (blue or green)" ;;
    esac
    ;;
  rollback)
    [ ${#args[@]} -eq 1 ] || usage_error "rollback takes no arguments"
    cmd_rollback
    ;;
  *) usage_error "unknown command: ${args[0]}" ;;
esac
