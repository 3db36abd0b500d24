# syntax=docker/dockerfile:1
# agentai-bridge container image: multi-stage, non-root, tini as PID 1, /data volume for the SQLite store.
#
#   docker build -t agentai-bridge .
#   docker run -d --name bridge -p 8080:8080 -v bridge-data:/data --env-file config/bridge.env \
#     -v "$PWD/secrets:/run/secrets:ro" --stop-timeout 30 agentai-bridge
#
# Base images are pinned by tag; both stages must use the same Node major (the better-sqlite3 addon is
# compiled in the build stage for that ABI). To pin by digest as well, look the digests up once
#   docker buildx imagetools inspect node:22-bookworm        (and node:22-bookworm-slim)
# and build with --build-arg NODE_BUILD_IMAGE=node:22-bookworm@sha256:<digest> \
#                --build-arg NODE_RUNTIME_IMAGE=node:22-bookworm-slim@sha256:<digest>
# (or write the @sha256:... into the two ARG defaults below).
#
# The build stage's RUN lines are executed verbatim by scripts/check-dockerfile.sh (which has no Docker
# engine), so keep each one a plain shell command; the script fails if they change shape.
ARG NODE_BUILD_IMAGE=node:22-bookworm
ARG NODE_RUNTIME_IMAGE=node:22-bookworm-slim

# ---------------------------------------------------------------------------------------------------------
FROM ${NODE_BUILD_IMAGE} AS build
# Toolchain for better-sqlite3's node-gyp build (the full bookworm image has most of it already).
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Dependencies first, so this layer is reused until package.json or the lockfile changes.
COPY package.json package-lock.json ./
# better-sqlite3 is compiled from source (no prebuilt download) against the headers of the Node that runs
# the build, found beside its binary (/usr/local/include/node in the official images): no network access
# to anything but the npm registry is needed.
RUN npm_config_build_from_source=true npm_config_nodedir="$(node -p 'require("node:path").resolve(process.execPath, "../..")')" npm ci --no-audit --no-fund
# tsconfig.build.json compiles product code only (src, adapters, bin, bench; no tests).
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY adapters ./adapters
COPY bench ./bench
RUN npm run build
# Only production dependencies (with the compiled addon) go on to the runtime stage.
RUN npm prune --omit=dev --no-audit --no-fund

# ---------------------------------------------------------------------------------------------------------
FROM ${NODE_RUNTIME_IMAGE} AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
# A fixed non-root uid/gid (10001) so volume ownership is predictable across hosts and orchestrators.
RUN groupadd --system --gid 10001 bridge \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin bridge \
 && mkdir -p /data \
 && chown 10001:10001 /data \
 && chmod 700 /data
WORKDIR /app
ENV NODE_ENV=production \
    BRIDGE_HTTP_PORT=8080 \
    BRIDGE_DATA_DIR=/data
# Application files stay root-owned (read-only for the service user); only /data is writable.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
VOLUME ["/data"]
USER 10001:10001
EXPOSE 8080
# slim has no curl: Node's fetch does the probe. It targets 127.0.0.1, so keep BRIDGE_HTTP_HOST at its
# default 0.0.0.0 (or a value that includes loopback).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.BRIDGE_HTTP_PORT||8080)+'/livez').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# On SIGTERM the bridge drains queued hook calls for up to BRIDGE_SHUTDOWN_DEADLINE_MS (default 20 s), then
# exits 0. Docker's default stop timeout is 10 s: give it more (docker run --stop-timeout 30, compose
# stop_grace_period: 30s; Kubernetes' default terminationGracePeriodSeconds of 30 is enough).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/bin/agentai-bridge.js", "run"]
