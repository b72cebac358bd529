#!/usr/bin/env bash
# CI check of SARK's container image: lint the Dockerfile, build the production image on a locally
# assembled Node.js base (scripts/ci/base-image.sh; CI reaches no container registry), then run it
# as production would (read-only root, /tmp only, uid 1000, PostgreSQL and Redis on 127.0.0.1):
# migrations as a one-off container, the server, the smoke test, and a graceful stop under traffic.
# Also builds the development target. One line per check; the first failing one ends the run with
# `FAIL <check>: <reason>` and a non-zero exit.
#
#   bash scripts/ci/image-check.sh
#
# Needs root (rootful podman), the npm registry and Debian's packages; installs podman and runc
# when missing. PostgreSQL and Redis must answer on 127.0.0.1:5432 (trust for postgres) and :6379;
# .ci/services.sh starts them when they don't.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$PWD"
# runc, not crun, and resource limits CI machines allow (see the file).
export CONTAINERS_CONF="$repo/scripts/ci/containers.conf"

image="localhost/sark:ci"
dev_image="localhost/sark:ci-dev"
run_id="sark_image_$$"
work="$(mktemp -d)"
containers=()
database_created=""
started_at=$SECONDS
timings=()

pass() { printf 'PASS %s\n' "$1"; }
fail() {
  printf 'FAIL %s: %s\n' "$1" "$2"
  exit 1
}
# Runs a phase and records how long it took, for the summary.
timed() {
  local name="$1" began=$SECONDS
  shift
  "$@"
  timings+=("$name $((SECONDS - began))s")
}

cleanup() {
  local code=$?
  for id in "${containers[@]}"; do
    if [ "$code" -ne 0 ]; then
      printf -- '--- last log lines of container %s\n' "${id:0:12}"
      podman logs --tail 40 "$id" 2>&1 || true
    fi
    podman rm --force --time 0 "$id" >/dev/null 2>&1 || true
  done
  if [ -n "$database_created" ]; then
    psql -h 127.0.0.1 -U postgres -d postgres -qc "drop database if exists $run_id with (force)" \
      -c "drop role if exists $run_id" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

ensure_tools() {
  command -v podman >/dev/null 2>&1 && command -v runc >/dev/null 2>&1 && return
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    podman runc containernetworking-plugins >/dev/null
}

ensure_services() {
  if [ -f .ci/services.sh ]; then
    # shellcheck disable=SC1091 # .ci/run's helpers, checked with it
    source .ci/services.sh
    ensure_postgres >/dev/null
    ensure_redis >/dev/null
  fi
}

# Every diagnostic of dockerfile-utils fails the lint, warnings included (its CLI fails on errors only).
lint_dockerfile() {
  # shellcheck disable=SC2016 # JavaScript, whose template literals the shell must not expand
  node -e '
    const { validate } = require("dockerfile-utils");
    const found = validate(require("node:fs").readFileSync("Dockerfile", "utf8"));
    for (const d of found) console.log(`Dockerfile:${d.range.start.line + 1}: ${d.message}`);
    process.exit(found.length === 0 ? 0 : 1);
  ' >"$work/lint.txt" || fail "Dockerfile lint" "$(tr '\n' ';' <"$work/lint.txt")"
  pass "Dockerfile lint (dockerfile-utils)"
}

# The CA bundle npm needs inside the build (a TLS-intercepting proxy's CA), if this machine has one.
ca_bundle() {
  local candidate
  for candidate in "${NODE_EXTRA_CA_CERTS:-}" "$(npm config get cafile 2>/dev/null)" /etc/ssl/certs/ca-certificates.crt; do
    if [ -n "$candidate" ] && [ -f "$candidate" ]; then
      echo "$candidate"
      return
    fi
  done
}

build_images() {
  local base ca secret=() source revision version began
  base="$(bash scripts/ci/base-image.sh)"
  pass "base image $base"
  ca="$(ca_bundle)"
  [ -n "$ca" ] && secret=(--secret "id=npm_ca,src=$ca")
  version="$(node -p 'require("./package.json").version')"
  revision="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
  # The repository's address without any credentials it was cloned with.
  source="$(git remote get-url origin 2>/dev/null | sed -E 's#//[^/@]*@#//#' || true)"
  began=$SECONDS
  podman build --format docker --network host --target production \
    --build-arg "BASE_IMAGE=$base" --build-arg "VERSION=$version" \
    --build-arg "REVISION=$revision" --build-arg "SOURCE=$source" \
    "${secret[@]}" -t "$image" . >"$work/build.log" 2>&1 \
    || fail "production build" "$(tail -n 30 "$work/build.log")"
  local size
  size="$(podman image inspect --format '{{.Size}}' "$image")"
  pass "production build in $((SECONDS - began)) s; image $image is $((size / 1000000)) MB"
  began=$SECONDS
  podman build --format docker --network host --target development --build-arg "BASE_IMAGE=$base" \
    "${secret[@]}" -t "$dev_image" . >"$work/build-dev.log" 2>&1 \
    || fail "development build" "$(tail -n 30 "$work/build-dev.log")"
  pass "development build in $((SECONDS - began)) s"
  [ -n "$ca" ] && check_secret_not_in_image "$ca"
  return 0
}

check_image_config() {
  local config
  config="$(podman image inspect --format '{{.User}}|{{json .Config.Entrypoint}}|{{json .Config.Cmd}}|{{json .Config.ExposedPorts}}|{{index .Labels "org.opencontainers.image.revision"}}' "$image")"
  case "$config" in
    '1000:1000|["node","dist/src/main.js"]|["serve"]|{"8000/tcp":{}}|'?*) ;;
    *) fail "image config" "user|entrypoint|cmd|ports|revision is $config" ;;
  esac
  pass "image config: user 1000:1000, entrypoint node dist/src/main.js serve, port 8000, OCI labels"
  case "$(podman image inspect --format '{{json .HealthCheck}}' "$image")" in
    *'/health/live'*) ;;
    *) fail "healthcheck" "the image has no HEALTHCHECK against /health/live" ;;
  esac
  pass "HEALTHCHECK against /health/live in the image config"
}

# The CA bundle was mounted as a build secret: neither the file nor any certificate of it that the
# image has no other reason to hold (node's and Debian's public roots) may be in any layer.
check_secret_not_in_image() {
  local ca="$1" marker_count
  podman run --rm --network none --no-healthcheck --entrypoint node -v "$ca:/tmp/npm_ca.pem:ro" "$image" -e '
    const fs = require("node:fs");
    const pems = (text) => text.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
    const bundle = "/etc/ssl/certs/ca-certificates.crt";
    const known = new Set([...require("node:tls").rootCertificates, ...(fs.existsSync(bundle) ? pems(fs.readFileSync(bundle, "utf8")) : [])]
      .map((p) => p.replace(/\s+/g, "")));
    if (fs.existsSync("/run/secrets/npm_ca")) { console.error("/run/secrets/npm_ca exists"); process.exit(1); }
    for (const pem of pems(fs.readFileSync("/tmp/npm_ca.pem", "utf8"))) {
      if (!known.has(pem.replace(/\s+/g, ""))) console.log(pem.split("\n")[3]);
    }
  ' >"$work/private-cert-lines" 2>"$work/secret-check.err" \
    || fail "build secret" "$(cat "$work/secret-check.err")"
  marker_count="$(wc -l <"$work/private-cert-lines")"
  if [ "$marker_count" -gt 0 ]; then
    podman save --format docker-archive -o "$work/image.tar" "$image" >/dev/null 2>&1 \
      || fail "build secret" "podman save $image failed"
    if grep -a -q -F -f "$work/private-cert-lines" "$work/image.tar"; then
      fail "build secret" "a certificate of the npm_ca build secret is in a layer of $image"
    fi
    rm -f "$work/image.tar"
  fi
  pass "build secret: not in the image ($marker_count private certificates searched for in every layer)"
}

# The SBOM a release attaches to the image (docs/PRODUCTION_DEPLOYMENT.md): CycloneDX's npm tool on
# the checkout the image was built from, which must list exactly the packages the image ships (its
# node_modules, as npm prune recorded them). `npm sbom --omit dev` is not used: it leaves out
# runtime packages that a dev dependency also needs (jose, yaml, ajv here).
check_sbom() {
  npx --no-install cyclonedx-npm --omit dev --output-format JSON --output-file "$work/sbom.json" \
    >"$work/sbom.log" 2>&1 || fail "sbom" "cyclonedx-npm failed: $(tail -n 5 "$work/sbom.log")"
  podman run --rm --network none --no-healthcheck --entrypoint node "$image" -e '
    const { packages } = require("/app/node_modules/.package-lock.json");
    for (const [path, entry] of Object.entries(packages)) {
      console.log(`${path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length)}@${entry.version}`);
    }
  ' >"$work/shipped.txt" 2>"$work/shipped.err" || fail "sbom" "could not list the image's packages: $(cat "$work/shipped.err")"
  # shellcheck disable=SC2016 # JavaScript, whose template literals the shell must not expand
  node -e '
    const fs = require("node:fs");
    const sbom = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    const listed = new Set();
    const walk = (components = []) => {
      for (const c of components) {
        listed.add(`${c.group ? `${c.group}/` : ""}${c.name}@${c.version}`);
        walk(c.components);
      }
    };
    walk(sbom.components);
    const shipped = new Set(fs.readFileSync(process.argv[2], "utf8").split("\n").filter(Boolean));
    const missing = [...shipped].filter((p) => !listed.has(p));
    const extra = [...listed].filter((p) => !shipped.has(p));
    if (sbom.bomFormat !== "CycloneDX" || missing.length > 0 || extra.length > 0) {
      console.log(`not in the SBOM: ${missing.join(" ") || "-"}; not in the image: ${extra.join(" ") || "-"}`);
      process.exit(1);
    }
    console.log(`CycloneDX ${sbom.specVersion}, the ${shipped.size} packages the image ships, no more`);
  ' "$work/sbom.json" "$work/shipped.txt" >"$work/sbom.check" || fail "sbom" "$(cat "$work/sbom.check")"
  pass "SBOM (cyclonedx-npm --omit dev): $(cat "$work/sbom.check")"
}

free_port() {
  node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

random_hex() { node -p 'require("node:crypto").randomBytes(32).toString("hex")'; }

prepare_database() {
  local password
  password="$(random_hex)"
  database_created=1
  psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
    -c "create role $run_id login password '$password'" -c "create database $run_id owner $run_id" \
    || fail "database" "could not create database $run_id on 127.0.0.1:5432"
  port="$(free_port)"
  admin_password="$(random_hex)"
  # An env file (not -e) keeps the secrets out of the process list.
  umask 077
  cat >"$work/env" <<EOF
ENVIRONMENT=production
PORT=$port
DATABASE_URL=postgres://$run_id:$password@127.0.0.1:5432/$run_id
REDIS_URL=redis://127.0.0.1:6379/0
JWT_SECRET_KEY=$(random_hex)
AUDIT_CHECKPOINT_KEY=$(random_hex)
SARK_ADMIN_PASSWORD=$admin_password
EOF
}

# How production runs it: host network (PostgreSQL and Redis on loopback), read-only root, /tmp only,
# as the image's own user (check_runtime verifies it is 1000).
# shellcheck disable=SC2054 # the commas separate tmpfs mount options
run_args=(--network host --read-only --tmpfs /tmp:rw,mode=1777,size=64m)

run_migrations() {
  podman run --rm --no-healthcheck "${run_args[@]}" --env-file "$work/env" "$image" migrate up \
    >"$work/migrate.log" 2>&1 || fail "migrate up" "$(tail -n 20 "$work/migrate.log")"
  pass "migrate up in a one-off container: $(tail -n 1 "$work/migrate.log")"
}

start_server() {
  local id status="" began=$SECONDS
  # Podman cannot schedule the HEALTHCHECK without systemd and says so on stderr; it still runs on demand.
  id="$(podman run -d "${run_args[@]}" --env-file "$work/env" "$image" 2>"$work/run.err")" \
    || fail "start" "$(cat "$work/run.err")"
  containers+=("$id")
  container="$id"
  while [ $((SECONDS - began)) -lt 120 ]; do
    status="$(node -e 'fetch(process.argv[1]).then((r) => console.log(r.status), () => console.log(0))' \
      "http://127.0.0.1:$port/ready")"
    [ "$status" = 200 ] && break
    [ "$(podman inspect --format '{{.State.Running}}' "$id")" = true ] || fail "ready" "the container exited"
    sleep 1
  done
  [ "$status" = 200 ] || fail "ready" "/ready answered $status for 120 s"
  pass "ready: /ready answered 200 after $((SECONDS - began)) s"
}

# Writes a file inside the running server's container: prints `written` or the error code.
write_probe() {
  podman exec "$container" node -e '
    try { require("node:fs").writeFileSync(process.argv[1], "x"); console.log("written"); }
    catch (e) { console.log(e.code); }
  ' "$1" || echo "podman exec failed"
}

check_runtime() {
  local uid write_app write_tmp
  uid="$(podman exec "$container" node -p 'process.getuid() + ":" + process.getgid()')" \
    || fail "non-root" "podman exec failed"
  [ "$uid" = "1000:1000" ] || fail "non-root" "the server runs as $uid"
  pass "non-root: the server runs as 1000:1000"
  write_app="$(write_probe /app/probe)"
  [ "$write_app" = EROFS ] || fail "read-only root" "a write to /app gave $write_app"
  pass "read-only root filesystem: a write to /app fails with EROFS"
  write_tmp="$(write_probe /tmp/probe)"
  [ "$write_tmp" = written ] || fail "writable /tmp" "a write to /tmp gave $write_tmp"
  pass "/tmp is writable"
  podman healthcheck run "$container" >/dev/null 2>&1 || fail "healthcheck" "podman healthcheck run failed"
  pass "podman healthcheck run: healthy"
}

run_smoke_tests() {
  SARK_SMOKE_PASSWORD="$admin_password" bash scripts/smoke-test.sh "http://127.0.0.1:$port" >"$work/smoke.log" 2>&1 \
    || fail "smoke test" "$(grep -E '^FAIL' "$work/smoke.log" | tr '\n' ';')"
  pass "smoke test from the host: $(tail -n 1 "$work/smoke.log")"
  podman exec "$container" bash scripts/smoke-test.sh "http://127.0.0.1:$port" >"$work/smoke-inside.log" 2>&1 \
    || fail "smoke test inside the image" "$(cat "$work/smoke-inside.log")"
  pass "smoke test inside the image: $(tail -n 1 "$work/smoke-inside.log")"
}

check_graceful_stop() {
  local exit_code
  node scripts/ci/drain-check.mjs "$port" -- podman stop --time 40 "$container" >"$work/drain.log" 2>&1 \
    || fail "graceful stop" "$(grep -v 'level=error msg="Removing timer' "$work/drain.log" | tr '\n' ';')"
  exit_code="$(podman inspect --format '{{.State.ExitCode}}' "$container")"
  [ "$exit_code" = 0 ] || fail "graceful stop" "the server exited with $exit_code"
  podman logs "$container" >"$work/server.log" 2>&1
  if ! grep -q '"msg":"shutting down: readiness off, draining requests"' "$work/server.log" \
    || ! grep -q '"msg":"shutdown complete"' "$work/server.log"; then
    fail "graceful stop" "the log does not show the drain (shutting down ... shutdown complete)"
  fi
  pass "graceful stop under traffic, exit 0: $(grep '^drain:' "$work/drain.log")"
}

timed tools ensure_tools
timed services ensure_services
timed lint lint_dockerfile
timed build build_images
timed image-config check_image_config
timed sbom check_sbom
timed database prepare_database
timed migrate run_migrations
timed start start_server
timed runtime check_runtime
timed smoke run_smoke_tests
timed stop check_graceful_stop
# Old layers of earlier commits; a day's worth stays as build cache.
podman image prune --force --filter until=24h >/dev/null 2>&1 || true
echo "image check passed in $((SECONDS - started_at)) s (${timings[*]})"
