# SARK's container image. Targets:
#   production (the default, last stage)  `podman build -t sark .`
#     runs `sark serve`; `podman run IMAGE migrate up` runs the migrations on the same image
#   development                           `podman build --target development -t sark-dev .`
#     the source and every dev dependency; runs `npm run dev` (embedded PGlite under /app/data)
#
# BASE_IMAGE is the current Node.js LTS (26, Active LTS since 2026-10-28), pinned by major. A
# release pins it by digest too (node:26-trixie-slim@sha256:...) so a rebuild is reproducible.
# scripts/ci/base-image.sh builds an equivalent locally for machines without registry access;
# the stages below use only what both offer (node, npm, a POSIX sh, bash, user 1000).
#
# Behind a TLS-intercepting proxy, pass its CA bundle as a build secret; it is mounted for
# `npm ci` only and never stored in a layer:
#   podman build --secret id=npm_ca,src=/etc/ssl/certs/ca-certificates.crt ...
ARG BASE_IMAGE=node:26-trixie-slim

# Every dependency, from the lockfile. Only package*.json are copied first, so this layer (the
# slow one) is rebuilt only when dependencies change.
FROM ${BASE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=npm_ca --mount=type=cache,target=/npm-cache \
    if [ -f /run/secrets/npm_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/npm_ca; fi \
    && npm ci --cache /npm-cache --no-audit --no-fund --loglevel=warn

# Runtime dependencies only: the dev dependencies pruned away (no network needed).
FROM deps AS runtime-deps
RUN npm prune --omit=dev --no-audit --no-fund --loglevel=warn

# The compiled application (dist/src/main.js).
FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# For local work: the full source tree with dev dependencies, served by tsx.
FROM deps AS development
ENV NODE_ENV=development
COPY . .
# The embedded database and the generated development JWT secret live in /app/data.
RUN mkdir -p /app/data && chown 1000:1000 /app/data
USER 1000:1000
EXPOSE 8000
CMD ["npm", "run", "dev"]

# What runs in production: node, the runtime dependencies, the compiled code and the assets SARK
# loads from its package root (package.json, migrations/, policies/), plus the smoke test. Files
# belong to root and are read-only to the process; with DATABASE_URL set nothing is written
# outside /tmp, so the container runs with a read-only root filesystem.
FROM ${BASE_IMAGE} AS production
ARG VERSION=0.0.0-dev
ARG REVISION=unknown
ARG SOURCE=
LABEL org.opencontainers.image.title="SARK" \
      org.opencontainers.image.description="Governance gateway for Model Context Protocol (MCP) traffic" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}"
ENV NODE_ENV=production
WORKDIR /app
COPY --from=runtime-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY migrations ./migrations
COPY policies ./policies
COPY scripts/smoke-test.sh scripts/smoke-test.mjs ./scripts/
# The `node` user of the official images (and of base-image.sh); numeric, so a runtime that
# refuses non-numeric users (Kubernetes runAsNonRoot) can verify it.
USER 1000:1000
EXPOSE 8000
# No curl in slim images: node asks the liveness probe, on the port SARK listens on.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/health/live', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself; SARK then drains (SHUTDOWN_DELAY_MS,
# SHUTDOWN_GRACE_MS) and exits 0.
ENTRYPOINT ["node", "dist/src/main.js"]
CMD ["serve"]
