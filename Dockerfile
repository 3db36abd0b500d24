# syntax=docker/dockerfile:1
# agentai-bridge container image: multi-stage, non-root, tini as PID 1, /data volume for the SQLite store.
#
#   docker build -t agentai-bridge .
#   docker run -d --name bridge -p 8080:8080 -v bridge-data:/data --env-file config/bridge.env \
#     -v "$PWD/secrets:/run/secrets:ro" --stop-timeout 30 agentai-bridge
#
#   Labels (org.opencontainers.image.*) take the release from build args; CI or a release script passes
#     --build-arg VERSION="$(node -p "require('./package.json').version")" \
#     --build-arg REVISION="$(git rev-parse HEAD)" --build-arg SOURCE_URL="$(git remote get-url origin)"
#   The image carries its software bill of materials: /app/sbom.cdx.json (CycloneDX, from `npm sbom`).
#
# Base images are pinned by tag; both stages must use the same Node major (the SQLite driver is chosen for
# that Node: better-sqlite3 13.x, whose Node-API binary comes inside its npm package, so nothing is
# compiled and no toolchain is needed). To pin by digest as well, look the digests up once
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
WORKDIR /app
# Dependencies first, so this layer is reused until package.json or the lockfile changes.
COPY package.json package-lock.json ./
# --omit=optional leaves out better-sqlite3-node20 (12.x, compiled at install, used on Node 20 only) and
# pg-cloudflare (Cloudflare Workers only): on this Node neither is loaded, and nothing is compiled. Only
# the npm registry is reached.
RUN npm ci --omit=optional --no-audit --no-fund
# tsconfig.build.json compiles product code only (src, adapters, bin, bench; no tests).
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY adapters ./adapters
COPY bench ./bench
RUN npm run build
# Only production dependencies go on to the runtime stage,
RUN npm prune --omit=dev --omit=optional --no-audit --no-fund
# without the SQLite driver's build inputs (SQLite's C sources in deps/, its C++ in src/, binding.gyp, any
# build/) nor its binaries for other platforms (about 25 MB): lib/ and this platform's binary stay.
RUN cd node_modules/better-sqlite3 && rm -rf deps src build binding.gyp && find prebuilds -type f ! -name "linux-$(node -p process.arch).node" -delete
# The bill of materials of exactly that tree (each package, its version, licence and hash). Not with
# --omit=dev: that also drops production packages a dev one shares (zod, pg-types, ... - npm/cli#7909), and
# npm sbom refuses a pruned tree whose package.json still names the absent devDependencies. So the image's
# package.json loses its dev and optional lists (nothing reads them at run time) and the SBOM is of the
# tree as it is.
RUN npm pkg delete devDependencies optionalDependencies && npm sbom --sbom-format cyclonedx --sbom-type application >sbom.cdx.json

# ---------------------------------------------------------------------------------------------------------
FROM ${NODE_RUNTIME_IMAGE} AS runtime
# VERSION's default follows package.json (scripts/check-dockerfile.sh checks that); REVISION and SOURCE_URL
# are known only where the build runs.
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG SOURCE_URL=unknown
# package.json says UNLICENSED (proprietary): SPDX has no identifier for that, hence a LicenseRef.
LABEL org.opencontainers.image.title="agentai-bridge" \
      org.opencontainers.image.description="Server-side bridge from contact-centre platforms (Genesys Cloud, Ada) to Kore.ai Agent AI hooks" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.licenses="LicenseRef-UNLICENSED"
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
COPY --from=build /app/sbom.cdx.json ./sbom.cdx.json
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
