#!/usr/bin/env bash
# Proves the Dockerfile's recipe without a Docker engine (none runs on the dev/CI machines).
#
#   bash scripts/check-dockerfile.sh [--head]      (a few minutes: npm ci and tsc on a loaded machine)
#
# What it does, in order:
#  1. Lints the Dockerfile with dockerfile-utils (npx, exact version) if the npm registry answers; else it
#     says it skipped the lint. (No hadolint here: not in Debian bookworm, and its npm wrapper fetches a
#     binary from outside the registry. dockerfilelint@1.8.0 was tried and rejected: it reports false
#     positives on ARG-based FROM lines and on HEALTHCHECK --start-period.)
#  2. Parses the Dockerfile (continuations, comments, stages) and prints the build stage's RUN lines.
#  3. Makes the build context in a temp dir: the files git knows (tracked plus untracked-not-ignored, as
#     in the working tree; with --head, the committed tree of HEAD instead), minus what .dockerignore
#     excludes.
#  4. Replays the build stage (`FROM ... AS build` up to the next FROM) in order: WORKDIR, ENV, COPY from
#     the context, and every RUN line executed verbatim with `sh -c` (as Docker does), on the build
#     image's Node major, not this machine's: a pinned release from the npm registry's `node` package
#     (scripts/registry-node.sh; REPLAY_NODE_VERSIONS below), first on PATH, npm_config_nodedir at its
#     headers, for the RUN lines, the checks and the daemon alike. RUN lines that start with apt-get are
#     not executed: they install OS packages (a toolchain: python3, make, g++, which the script then
#     checks this machine has). Any other instruction in that stage fails the check until this script
#     learns it, so the Dockerfile and what the script executes cannot drift.
#  5. Replays the runtime stage's COPY --from=build into a separate dir, so the daemon runs with exactly
#     what the image would hold (dist, node_modules, package.json, sbom.cdx.json), with its ENV, as uid
#     10001 when run as root (setpriv), and BRIDGE_DATA_DIR/BRIDGE_HTTP_PORT pointed at a temp dir and a
#     free port. Its RUN lines (tini, the user, /data) are OS setup: printed, not executed.
#  6. Checks: the build stage runs npm ci, npm run build, npm prune --omit=dev in that order; the CMD's
#     script exists; `help` exits 0; better-sqlite3 opens ':memory:' from the pruned node_modules, and
#     dist's SQLite driver picks it (13.x; the Node 20 driver is absent); no dev-only package of the
#     lockfile is left; better-sqlite3 holds lib/ and this platform's binary only (no deps/, src/, build/,
#     other platforms' binaries) and no object files remain; the org.opencontainers.image.* labels
#     (title, description, version = package.json's, revision and source from build args, licenses);
#     sbom.cdx.json is CycloneDX JSON listing each production dependency at its lockfile version, no dev
#     or optional one, and exactly the packages node_modules holds; the runtime stage's static settings (tini entrypoint,
#     exec-form CMD, non-root USER, VOLUME holding BRIDGE_DATA_DIR, EXPOSE of BRIDGE_HTTP_PORT); then the
#     CMD starts, the Dockerfile's own HEALTHCHECK command passes against it, /readyz answers 200, the
#     SQLite file appears in the data dir, SIGTERM makes it exit 0, and the HEALTHCHECK then fails.
# Exit 0 only when every check passed; a PASS/FAIL summary closes the output. KEEP_WORKDIR=1 keeps the
# temp dir for a look afterwards. Not part of `npm test` (too slow).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DOCKERFILE=${DOCKERFILE:-$ROOT/Dockerfile}
DOCKERIGNORE=$ROOT/.dockerignore
LINTER=dockerfile-utils@0.16.3
# The Node release the replay uses for each image major (from the npm registry; .ci/run pins the same 22).
declare -A REPLAY_NODE_VERSIONS=([22]=22.23.3 [24]=24.21.0)
SOURCE=worktree
for arg in "$@"; do
  case "$arg" in
    --head) SOURCE=head ;;
    -h|--help) sed -n '2,40p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/check-dockerfile.XXXXXX")
chmod 755 "$WORK"
STARTED=$SECONDS
DAEMON_PID=
declare -a RESULTS=()
FAILED=0

log() { printf '\n==> %s\n' "$*"; }
pass() { RESULTS+=("PASS  $1"); printf 'PASS  %s\n' "$1"; }
fail() { RESULTS+=("FAIL  $1"); printf 'FAIL  %s\n' "$1"; FAILED=1; }
skip() { RESULTS+=("SKIP  $1"); printf 'SKIP  %s\n' "$1"; }
# check NAME CMD...: runs CMD, records PASS or FAIL (never aborts the script).
check() {
  local name=$1; shift
  if "$@"; then pass "$name"; else fail "$name"; fi
}

summary() {
  local code=$?
  if [[ -n "$DAEMON_PID" ]] && kill -0 "$DAEMON_PID" 2>/dev/null; then kill -KILL "$DAEMON_PID" 2>/dev/null || true; fi
  [[ $code -ne 0 && $FAILED -eq 0 ]] && RESULTS+=("FAIL  aborted (exit $code) before all checks ran") && FAILED=1
  printf '\n==================== check-dockerfile summary (%ss) ====================\n' $((SECONDS - STARTED))
  printf '%s\n' "${RESULTS[@]}"
  local npass=0 nfail=0 nskip=0 r
  for r in "${RESULTS[@]}"; do
    case "$r" in PASS*) npass=$((npass + 1)) ;; FAIL*) nfail=$((nfail + 1)) ;; SKIP*) nskip=$((nskip + 1)) ;; esac
  done
  printf '%s passed, %s failed, %s skipped\n' "$npass" "$nfail" "$nskip"
  if [[ $FAILED -eq 0 ]]; then echo "RESULT: PASS"; else echo "RESULT: FAIL"; fi
  if [[ "${KEEP_WORKDIR:-0}" == 1 ]]; then echo "work dir kept: $WORK"; else rm -rf "$WORK"; fi
  [[ $FAILED -eq 0 ]] || exit 1
}
trap summary EXIT
# abort NAME: a step the rest depends on failed; record it and stop (the trap prints the summary).
abort() { fail "$1"; exit 1; }

[[ -f "$DOCKERFILE" ]] || abort "Dockerfile exists at $DOCKERFILE"

# ---------------------------------------------------------------------------------------------- lint
log "lint: $LINTER"
if npx --yes "$LINTER" --version >"$WORK/lint-probe.log" 2>&1; then
  if npx --yes "$LINTER" lint "$DOCKERFILE" >"$WORK/lint.log" 2>&1; then
    grep -v 'Unknown user config' "$WORK/lint.log" || true
    pass "lint ($LINTER): no problems"
  else
    grep -v 'Unknown user config' "$WORK/lint.log" || true
    fail "lint ($LINTER) reported problems"
  fi
else
  cat "$WORK/lint-probe.log"
  skip "lint: $LINTER could not be fetched from the npm registry (no Dockerfile linter is available otherwise)"
fi

# ---------------------------------------------------------------------------------------------- parse
# parse.mjs turns the Dockerfile into shell calls (b_* for the build stage, r_* for the last stage), with
# every argument single-quoted, or fails naming an instruction the script does not know how to replay.
cat >"$WORK/parse.mjs" <<'JS'
import { readFileSync } from 'node:fs';
const [file] = process.argv.slice(2);
const q = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
const die = (msg) => { console.error(`parse: ${msg}`); process.exit(1); };

// Logical lines: comment lines dropped (also inside continuations, as Docker does), "\" joins lines.
const instrs = [];
let cur = null;
for (const raw of readFileSync(file, 'utf8').split(/\r?\n/)) {
  const t = raw.trim();
  if (t.startsWith('#')) continue;
  if (t === '' && cur === null) continue;
  const piece = raw.replace(/\s+$/, '');
  if (piece.endsWith('\\')) { cur = (cur ?? '') + piece.slice(0, -1); continue; }
  const full = (cur ?? '') + piece;
  cur = null;
  const m = /^\s*([A-Za-z]+)\s*([\s\S]*)$/.exec(full);
  if (!m) die(`cannot read line: ${full}`);
  instrs.push({ op: m[1].toUpperCase(), args: m[2].trim() });
}
if (cur !== null) die('the file ends inside a line continuation');

// Splits leading --flag[=value] options off an instruction's arguments.
function flags(args) {
  const out = {};
  let rest = args;
  for (;;) {
    const m = /^--([\w-]+)(?:=(\S*))?\s+/.exec(rest);
    if (!m) return { flags: out, rest };
    out[m[1]] = m[2] ?? true;
    rest = rest.slice(m[0].length);
  }
}
// ENV KEY=VALUE ... (double/single quotes, backslash escapes) or the legacy ENV KEY VALUE.
function envPairs(args, what = 'ENV') {
  if (!/^[\w.-]+=/.test(args)) {
    const m = /^([\w.-]+)\s+([\s\S]*)$/.exec(args);
    if (!m) die(`cannot read ENV ${args}`);
    return [[m[1], m[2]]];
  }
  const pairs = [];
  let i = 0;
  while (i < args.length) {
    while (/\s/.test(args[i] ?? '')) i++;
    if (i >= args.length) break;
    const eq = args.indexOf('=', i);
    if (eq < 0) die(`cannot read ENV ${args}`);
    const key = args.slice(i, eq);
    i = eq + 1;
    let val = '';
    while (i < args.length && !/\s/.test(args[i])) {
      const c = args[i];
      if (c === '"' || c === "'") {
        const end = args.indexOf(c, i + 1);
        if (end < 0) die(`unterminated quote in ENV ${args}`);
        val += args.slice(i + 1, end).replace(c === '"' ? /\\(.)/g : /$^/, '$1');
        i = end + 1;
      } else if (c === '\\') { val += args[i + 1] ?? ''; i += 2; }
      else { val += c; i++; }
    }
    if (what === 'ENV' && val.includes('$')) die(`ENV ${key}: variable references are not replayed by this script`);
    pairs.push([key, val]);
  }
  return pairs;
}
const words = (s) => (s.startsWith('[') ? JSON.parse(s) : s.split(/\s+/).filter(Boolean));

// Stages; FROM images with ${ARG} resolved from the global ARG defaults.
const stages = [];
const globalArgs = {};
for (const ins of instrs) {
  if (ins.op === 'ARG' && !stages.length) {
    const m = /^([\w.-]+)(?:=(.*))?$/.exec(ins.args);
    if (m) globalArgs[m[1]] = (m[2] ?? '').replace(/^"(.*)"$/, '$1');
  }
  if (ins.op === 'FROM') {
    const f = flags(ins.args).rest.split(/\s+/);
    const image = f[0].replace(/\$\{?(\w+)\}?/g, (_, n) => globalArgs[n] ?? `\${${n}}`);
    stages.push({ image, name: /^as$/i.test(f[1] ?? '') ? f[2] : undefined, body: [] });
  } else if (stages.length) stages[stages.length - 1].body.push(ins);
  else if (ins.op !== 'ARG') die(`${ins.op} before the first FROM`);
}
const build = stages.find((s) => s.name === 'build');
if (!build) die('no stage "FROM ... AS build"');
const runtime = stages[stages.length - 1];
if (runtime === build) die('the build stage is also the last stage');

const out = [];
out.push(`b_from ${q(build.image)}`);
for (const { op, args } of build.body) {
  const { flags: fl, rest } = flags(args);
  switch (op) {
    case 'WORKDIR': out.push(`b_workdir ${q(rest)}`); break;
    case 'ENV': for (const [k, v] of envPairs(args)) out.push(`b_env ${q(k)} ${q(v)}`); break;
    case 'COPY': {
      if (fl.from) die(`COPY --from in the build stage is not replayed: ${args}`);
      const w = words(rest);
      out.push(`b_copy ${q(w[w.length - 1])} ${w.slice(0, -1).map(q).join(' ')}`);
      break;
    }
    case 'RUN':
      if (rest.startsWith('[')) die(`exec-form RUN is not replayed: ${args}`);
      out.push(`b_run ${q(rest)}`);
      break;
    case 'LABEL': case 'EXPOSE': break;
    default: die(`${op} in the build stage is not replayed by scripts/check-dockerfile.sh (teach it first): ${op} ${args}`);
  }
}
out.push(`r_from ${q(runtime.image)} ${q(runtime.name ?? '')}`);
for (const { op, args } of runtime.body) {
  const { flags: fl, rest } = flags(args);
  switch (op) {
    case 'WORKDIR': out.push(`r_workdir ${q(rest)}`); break;
    case 'ENV': for (const [k, v] of envPairs(args)) out.push(`r_env ${q(k)} ${q(v)}`); break;
    case 'COPY': {
      const w = words(rest);
      out.push(`r_copy ${q(fl.from ?? '')} ${q(w[w.length - 1])} ${w.slice(0, -1).map(q).join(' ')}`);
      break;
    }
    case 'RUN': out.push(`r_run ${q(rest)}`); break;
    case 'USER': out.push(`r_user ${q(rest)}`); break;
    case 'VOLUME': out.push(`r_volume ${words(rest).map(q).join(' ')}`); break;
    case 'EXPOSE': out.push(`r_expose ${words(rest).map(q).join(' ')}`); break;
    case 'HEALTHCHECK': {
      const m = /^CMD\s+([\s\S]*)$/i.exec(rest);
      if (!m) die(`HEALTHCHECK without CMD: ${args}`);
      if (m[1].startsWith('[')) die('exec-form HEALTHCHECK is not replayed');
      out.push(`r_healthcheck ${q(m[1])}`);
      break;
    }
    case 'CMD': case 'ENTRYPOINT':
      if (!rest.startsWith('[')) die(`${op} must be in exec form (JSON array) so SIGTERM reaches the process: ${args}`);
      out.push(`r_${op.toLowerCase()} ${JSON.parse(rest).map(q).join(' ')}`);
      break;
    case 'STOPSIGNAL': out.push(`r_stopsignal ${q(rest)}`); break;
    case 'LABEL': for (const [k, v] of envPairs(args, 'LABEL')) out.push(`r_label ${q(k)} ${q(v)}`); break;
    case 'ARG': {
      const m = /^([\w.-]+)(?:=(.*))?$/.exec(rest);
      if (!m) die(`cannot read ARG ${args}`);
      out.push(`r_arg ${q(m[1])} ${q((m[2] ?? '').replace(/^"(.*)"$/, '$1'))}`);
      break;
    }
    default: die(`${op} in the runtime stage is not understood by scripts/check-dockerfile.sh: ${op} ${args}`);
  }
}
console.log(out.join('\n'));
JS
log "parse $DOCKERFILE"
node "$WORK/parse.mjs" "$DOCKERFILE" >"$WORK/plan.sh" || abort "Dockerfile parses into a replayable plan"
pass "Dockerfile parses into a replayable plan"

# First pass over the plan: collect it (nothing runs yet).
BUILD_IMAGE= RUNTIME_IMAGE= RUNTIME_USER= HEALTHCHECK_CMD= STOP_SIGNAL=SIGTERM
declare -a BUILD_STEPS=() RUN_LINES=() RT_COPIES=() RT_RUNS=() RT_ENV=() VOLUMES=() EXPOSES=() CMD=() ENTRYPOINT=()
b_from() { BUILD_IMAGE=$1; }
b_workdir() { BUILD_STEPS+=("workdir" "$1"); }
b_env() { BUILD_STEPS+=("env" "$1=$2"); }
b_copy() { local dest=$1; shift; BUILD_STEPS+=("copy" "$dest"$'\x1f'"$(printf '%s\x1f' "$@")"); }
b_run() { BUILD_STEPS+=("run" "$1"); RUN_LINES+=("$1"); }
r_from() { RUNTIME_IMAGE=$1; }
r_workdir() { RT_COPIES+=("workdir"$'\x1f'"$1"); }
r_env() { RT_ENV+=("$1=$2"); }
r_copy() { local from=$1 dest=$2; shift 2; RT_COPIES+=("copy"$'\x1f'"$from"$'\x1f'"$dest"$'\x1f'"$(printf '%s\x1f' "$@")"); }
r_run() { RT_RUNS+=("$1"); }
r_user() { RUNTIME_USER=$1; }
r_volume() { VOLUMES+=("$@"); }
r_expose() { EXPOSES+=("$@"); }
r_healthcheck() { HEALTHCHECK_CMD=$1; }
r_cmd() { CMD=("$@"); }
r_entrypoint() { ENTRYPOINT=("$@"); }
r_stopsignal() { STOP_SIGNAL=$1; }
declare -A LABELS=() RT_ARGS=()
r_label() { LABELS[$1]=$2; }
r_arg() { RT_ARGS[$1]=$2; }
# shellcheck disable=SC1091
source "$WORK/plan.sh"

echo "build stage: FROM $BUILD_IMAGE AS build"
echo "build stage RUN lines (in order):"
for i in "${!RUN_LINES[@]}"; do
  if [[ "${RUN_LINES[$i]}" =~ ^[[:space:]]*apt-get ]]; then tag='skip: OS toolchain'; else tag='execute'; fi
  printf '  RUN[%d] (%s) %s\n' "$((i + 1))" "$tag" "${RUN_LINES[$i]}"
done
echo "runtime stage: FROM $RUNTIME_IMAGE (RUN lines are OS setup, not executed here):"
for r in "${RT_RUNS[@]}"; do printf '  RUN %s\n' "$r"; done

# The checks below assume these three steps, in this order, among the executed RUN lines.
order_ok() {
  local want=('(^|[[:space:];&|])npm ci( |$)' '(^|[[:space:];&|])npm run build( |$)' '(^|[[:space:];&|])npm prune --omit=dev( |$)')
  local at=0 line
  for line in "${RUN_LINES[@]}"; do
    [[ "$line" =~ ^[[:space:]]*apt-get ]] && continue
    [[ $at -lt ${#want[@]} && "$line" =~ ${want[$at]} ]] && at=$((at + 1))
  done
  [[ $at -eq ${#want[@]} ]]
}
if order_ok; then
  pass "build stage runs npm ci, npm run build, npm prune --omit=dev in that order (outside apt-get lines)"
else
  abort "build stage runs npm ci, npm run build, npm prune --omit=dev in that order (outside apt-get lines)"
fi

# ---------------------------------------------------------------------------------------------- context
log "build context ($SOURCE) filtered by .dockerignore"
CTX=$WORK/context
mkdir -p "$CTX" "$WORK/head"
if [[ $SOURCE == head ]]; then
  git -C "$ROOT" archive HEAD | tar -x -C "$WORK/head"
  SRC_ROOT=$WORK/head
  (cd "$SRC_ROOT" && find . -type f -o -type l | sed 's|^\./||' | tr '\n' '\0') >"$WORK/files.lst"
else
  SRC_ROOT=$ROOT
  git -C "$ROOT" ls-files -z --cached --others --exclude-standard >"$WORK/files.lst"
fi
cat >"$WORK/dockerignore.mjs" <<'JS'
// Filters a NUL-separated file list by .dockerignore (Docker's rules: patterns anchored at the context
// root, * and ? within one path segment, ** across segments, a match on a directory excludes what is
// inside it, ! re-includes, the last matching pattern wins). Files that no longer exist are dropped.
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
const [root, ignoreFile] = process.argv.slice(2);
const patterns = existsSync(ignoreFile)
  ? readFileSync(ignoreFile, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
  : [];
const toRegex = (glob) => {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      i++;
      if (glob[i + 1] === '/') { i++; re += '(?:.*/)?'; } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') { const end = glob.indexOf(']', i); re += glob.slice(i, end + 1).replace('[!', '[^'); i = end; }
    else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
};
const rules = patterns.map((p) => {
  const negate = p.startsWith('!');
  const body = (negate ? p.slice(1) : p).replace(/^\/+/, '').replace(/\/+$/, '').replace(/^\.\//, '');
  return { negate, re: toRegex(body) };
});
const excluded = (path) => {
  const parts = path.split('/');
  const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let out = false;
  for (const r of rules) if (prefixes.some((p) => r.re.test(p))) out = !r.negate;
  return out;
};
const files = readFileSync(0, 'utf8').split('\0').filter(Boolean);
let kept = 0, dropped = 0;
for (const f of files) {
  let exists = true;
  try { lstatSync(join(root, f)); } catch { exists = false; }
  if (!exists) continue;
  if (excluded(f)) { dropped++; continue; }
  kept++;
  process.stdout.write(`${f}\0`);
}
console.error(`context: ${kept} files, ${dropped} excluded by .dockerignore`);
JS
node "$WORK/dockerignore.mjs" "$SRC_ROOT" "$DOCKERIGNORE" <"$WORK/files.lst" >"$WORK/context.lst"
(cd "$SRC_ROOT" && xargs -0 -r cp -P --parents -t "$CTX" <"$WORK/context.lst")

# ---------------------------------------------------------------------------------------------- build
# Container paths map into fake roots: /app of the build stage is $WORK/build-root/app.
BROOT=$WORK/build-root
RROOT=$WORK/runtime-root
mkdir -p "$BROOT" "$RROOT"
chmod 755 "$BROOT" "$RROOT"
resolve() { # resolve ROOT WORKDIR PATH: the host path of a container path
  local root=$1 wd=$2 p=$3
  [[ "$p" == /* ]] || p="$wd/$p"
  printf '%s%s' "$root" "$p"
}
# docker_copy SRC_BASE DEST_HOST DEST_RAW SRC...: COPY semantics (a directory's contents go into the
# destination; a file goes into it when it ends in / or there are several sources, else becomes it).
docker_copy() {
  local base=$1 dest=$2 raw=$3; shift 3
  local many=0 s matched
  [[ $# -gt 1 || "$raw" == */ ]] && many=1
  for s in "$@"; do
    shopt -s nullglob
    # shellcheck disable=SC2206
    matched=("$base"/$s)
    shopt -u nullglob
    [[ ${#matched[@]} -gt 0 ]] || { echo "COPY: $s: no such file in the source" >&2; return 1; }
    [[ ${#matched[@]} -gt 1 ]] && many=1
    local m
    for m in "${matched[@]}"; do
      if [[ -d "$m" ]]; then
        mkdir -p "$dest" && cp -a "$m/." "$dest/"
      elif [[ $many -eq 1 ]]; then
        mkdir -p "$dest" && cp -a "$m" "$dest/"
      else
        mkdir -p "$(dirname "$dest")" && cp -a "$m" "$dest"
      fi
    done
  done
}

has_apt=0
for line in "${RUN_LINES[@]}"; do [[ "$line" =~ ^[[:space:]]*apt-get ]] && has_apt=1; done
if [[ $has_apt -eq 1 ]]; then
  log "toolchain for the skipped apt-get lines"
  for tool in python3 make g++; do
    command -v "$tool" >/dev/null || abort "toolchain: $tool is on this machine (the Dockerfile installs it with apt-get)"
  done
  pass "toolchain present (python3, make, g++); apt-get lines skipped"
fi

# The image's Node, not this machine's: the same major as the build image, from the npm registry's `node`
# package (scripts/registry-node.sh), first on PATH for every RUN line, the checks and the daemon, with
# npm_config_nodedir at its headers (as /usr/local/include/node is in the official images).
log "Node for the replay"
IMAGE_MAJOR=
[[ "$BUILD_IMAGE" =~ ^node:([0-9]+) ]] && IMAGE_MAJOR=${BASH_REMATCH[1]}
[[ -n "$IMAGE_MAJOR" ]] || abort "build image names a Node major (node:NN...): $BUILD_IMAGE"
REPLAY_VERSION=${REPLAY_NODE_VERSIONS[$IMAGE_MAJOR]:-}
[[ -n "$REPLAY_VERSION" ]] || abort "scripts/check-dockerfile.sh knows a Node $IMAGE_MAJOR release to replay with (REPLAY_NODE_VERSIONS)"
NODE_HOME=$(bash "$ROOT/scripts/registry-node.sh" "$REPLAY_VERSION") || abort "Node $REPLAY_VERSION from the npm registry"
export PATH="$NODE_HOME/bin:$PATH" npm_config_nodedir="$NODE_HOME"
check "replay runs on the image's Node major ($BUILD_IMAGE): $(node --version) at $(command -v node)" \
  bash -c '[[ "$(node --version)" == "v$1."* ]]' _ "$IMAGE_MAJOR"

WD=/
declare -a BUILD_ENV=()
i=0
while [[ $i -lt ${#BUILD_STEPS[@]} ]]; do
  kind=${BUILD_STEPS[$i]} arg=${BUILD_STEPS[$((i + 1))]}
  i=$((i + 2))
  case "$kind" in
    workdir)
      [[ "$arg" == /* ]] || arg="$WD/$arg"
      WD=$arg; mkdir -p "$BROOT$WD"; echo "WORKDIR $WD" ;;
    env) BUILD_ENV+=("$arg"); echo "ENV $arg" ;;
    copy)
      IFS=$'\x1f' read -r -a parts <<<"$arg"
      dest=${parts[0]}
      echo "COPY ${parts[*]:1} $dest"
      docker_copy "$CTX" "$(resolve "$BROOT" "$WD" "$dest")" "$dest" "${parts[@]:1}" || abort "build: COPY ${parts[*]:1} $dest"
      ;;
    run)
      if [[ "$arg" =~ ^[[:space:]]*apt-get ]]; then echo "RUN (skipped, OS toolchain) $arg"; continue; fi
      log "RUN $arg"
      t0=$SECONDS
      if (cd "$BROOT$WD" && env "${BUILD_ENV[@]}" sh -c "$arg") >"$WORK/run.log" 2>&1; then
        tail -n 15 "$WORK/run.log"
        pass "build: RUN $arg ($((SECONDS - t0))s)"
      else
        tail -n 60 "$WORK/run.log"
        abort "build: RUN $arg ($((SECONDS - t0))s)"
      fi
      ;;
  esac
done
BUILD_WD=$WD

# ---------------------------------------------------------------------------------------------- runtime
log "runtime stage: COPY --from=build into a separate dir"
WD=/
for entry in "${RT_COPIES[@]}"; do
  IFS=$'\x1f' read -r -a parts <<<"$entry"
  if [[ ${parts[0]} == workdir ]]; then
    WD=${parts[1]}; [[ "$WD" == /* ]] || WD="/$WD"; mkdir -p "$RROOT$WD"; continue
  fi
  from=${parts[1]} dest=${parts[2]}
  srcs=("${parts[@]:3}")
  if [[ "$from" == build ]]; then
    # --from paths are absolute in the build stage's filesystem: strip the leading / for the fake root.
    rel=(); for s in "${srcs[@]}"; do rel+=("${s#/}"); done
    echo "COPY --from=build ${srcs[*]} $dest"
    docker_copy "$BROOT" "$(resolve "$RROOT" "$WD" "$dest")" "$dest" "${rel[@]}" || abort "runtime: COPY --from=build ${srcs[*]} $dest"
  elif [[ -z "$from" ]]; then
    echo "COPY ${srcs[*]} $dest"
    docker_copy "$CTX" "$(resolve "$RROOT" "$WD" "$dest")" "$dest" "${srcs[@]}" || abort "runtime: COPY ${srcs[*]} $dest"
  else
    abort "runtime: COPY --from=$from is not replayed by this script"
  fi
done
APP=$RROOT$WD
echo "runtime app dir: $APP ($(du -sh "$APP" | cut -f1)); build dir: $BROOT$BUILD_WD"

# ---------------------------------------------------------------------------------------------- static checks
log "runtime stage settings"
env_of() { local kv; for kv in "${RT_ENV[@]}"; do [[ "${kv%%=*}" == "$1" ]] && printf '%s' "${kv#*=}"; done; return 0; }
DATA_IN_IMAGE=$(env_of BRIDGE_DATA_DIR)
PORT_IN_IMAGE=$(env_of BRIDGE_HTTP_PORT)
node_major() { [[ "$1" =~ ^node:([0-9]+) ]] && printf '%s' "${BASH_REMATCH[1]}"; return 0; }
check "build and runtime images share one Node major ($BUILD_IMAGE, $RUNTIME_IMAGE)" \
  bash -c '[[ -n "$1" && "$1" == "$2" ]]' _ "$(node_major "$BUILD_IMAGE")" "$(node_major "$RUNTIME_IMAGE")"
check "ENV NODE_ENV=production" test "$(env_of NODE_ENV)" == production
check "ENTRYPOINT is tini (${ENTRYPOINT[*]:-none})" test "${ENTRYPOINT[0]:-}" == /usr/bin/tini
tini_installed() { local r; for r in "${RT_RUNS[@]}"; do [[ "$r" =~ apt-get.*install.*[[:space:]]tini([[:space:]]|$) ]] && return 0; done; return 1; }
check "runtime stage installs tini" tini_installed
check "CMD is exec form: ${CMD[*]:-none}" test "${#CMD[@]}" -gt 0
check "USER is non-root ($RUNTIME_USER)" bash -c '[[ -n "$1" && ! "$1" =~ ^(root|0)(:|$) ]]' _ "$RUNTIME_USER"
user_created() { local uid=${RUNTIME_USER%%:*} r; for r in "${RT_RUNS[@]}"; do [[ "$r" == *"--uid $uid"* ]] && return 0; done; return 1; }
check "runtime stage creates uid ${RUNTIME_USER%%:*}" user_created
in_list() { local want=$1 v; shift; for v in "$@"; do [[ "$v" == "$want" || "$v" == "$want/tcp" ]] && return 0; done; return 1; }
check "VOLUME holds BRIDGE_DATA_DIR (${DATA_IN_IMAGE:-unset})" in_list "$DATA_IN_IMAGE" "${VOLUMES[@]}"
data_chowned() { local r; for r in "${RT_RUNS[@]}"; do [[ "$r" == *chown*"$DATA_IN_IMAGE"* ]] && return 0; done; return 1; }
check "runtime stage gives $DATA_IN_IMAGE to the service user" data_chowned
check "EXPOSE holds BRIDGE_HTTP_PORT (${PORT_IN_IMAGE:-unset})" in_list "$PORT_IN_IMAGE" "${EXPOSES[@]}"
check "STOPSIGNAL is SIGTERM" test "$STOP_SIGNAL" == SIGTERM
check "HEALTHCHECK present" test -n "$HEALTHCHECK_CMD"

# ---------------------------------------------------------------------------------------------- artefacts
log "artefacts in the runtime dir"
SCRIPT_REL=
for a in "${CMD[@]}"; do [[ "$a" == *.js ]] && SCRIPT_REL=$a && break; done
check "CMD's script exists: ${SCRIPT_REL:-none}" test -f "$APP/$SCRIPT_REL"
check "dist/bin/agentai-bridge.js exists" test -f "$APP/dist/bin/agentai-bridge.js"
check "package.json copied" test -f "$APP/package.json"
check "node dist/bin/agentai-bridge.js help exits 0" bash -c 'cd "$1" && node dist/bin/agentai-bridge.js help >/dev/null' _ "$APP"
check "better-sqlite3 opens :memory: from the pruned node_modules ($(node --version))" \
  bash -c "cd \"\$1\" && node -e \"const db=require('better-sqlite3')(':memory:'); if (db.prepare('select 1 as x').get().x !== 1) process.exit(1); db.close()\"" _ "$APP"
no_dev_left() {
  node - "$APP" "$CTX/package-lock.json" <<'JS'
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const [app, lockFile] = process.argv.slice(2);
const lock = JSON.parse(readFileSync(lockFile, 'utf8'));
// The context's package.json: the image's own has its devDependencies list removed for npm sbom.
const pkg = JSON.parse(readFileSync(join(lockFile, '..', 'package.json'), 'utf8'));
const left = Object.entries(lock.packages).filter(([key, p]) => key && p.dev && existsSync(join(app, key))).map(([key]) => key);
const named = Object.keys(pkg.devDependencies ?? {}).filter((n) => existsSync(join(app, 'node_modules', n)));
if (named.length) console.log(`devDependencies still in node_modules: ${named.join(', ')}`);
if (left.length) console.log(`dev-only packages of the lockfile left: ${left.length}, e.g. ${left.slice(0, 8).join(', ')}`);
const kept = Object.keys(lock.packages).filter((k) => k && !lock.packages[k].dev && existsSync(join(app, k))).length;
console.log(`production packages present: ${kept}`);
process.exit(left.length || named.some((n) => lock.packages[`node_modules/${n}`]?.dev) ? 1 : 0);
JS
}
check "no devDependency (vitest, typescript, ...) nor any dev-only lockfile package left" no_dev_left
check "typescript and vitest absent" bash -c '! [[ -e "$1/node_modules/typescript" || -e "$1/node_modules/vitest" ]]' _ "$APP"
check "the SQLite driver for Node $IMAGE_MAJOR loads from dist and is better-sqlite3 (13.x)" \
  bash -c 'cd "$1" && node --input-type=module -e "const m = await import(\"./dist/src/store/sqlite-driver.js\"); const db = new m.default(\":memory:\"); if (m.sqliteDriver.name !== \"better-sqlite3\" || db.prepare(\"select 1 as x\").get().x !== 1) process.exit(1); db.close()"' _ "$APP"
check "better-sqlite3-node20 (the Node 20 driver) is not in the image" test ! -e "$APP/node_modules/better-sqlite3-node20"
leftovers() {
  local bs=$APP/node_modules/better-sqlite3 found
  found=$( (cd "$bs" && ls -d deps src build binding.gyp 2>/dev/null; find prebuilds -type f ! -name "linux-$(node -p process.arch).node" 2>/dev/null) || true)
  found+=$(find "$APP/node_modules" \( -path '*/build/Release/obj*' -o -name '*.o' -o -name '*.a' -o -name 'sqlite3.c' \) -print 2>/dev/null | head -5)
  [[ -n "$found" ]] && printf 'left over:\n%s\n' "$found"
  [[ -d "$bs/lib" && -f "$bs/prebuilds/linux-$(node -p process.arch).node" && -z "$found" ]]
}
check "better-sqlite3 holds lib/ and this platform's binary only (no deps/, src/, build/, other platforms) ($(du -sh "$APP/node_modules/better-sqlite3" | cut -f1))" leftovers
echo "runtime node_modules: $(du -sh "$APP/node_modules" | cut -f1)"

log "labels and SBOM"
PKG_VERSION=$(node -p "require('$CTX/package.json').version")
label_of() { # label_of KEY: the LABEL's value with the runtime stage's ARG defaults (build args) filled in
  local v=${LABELS[$1]-} n
  for n in "${!RT_ARGS[@]}"; do v=${v//\$\{$n\}/${RT_ARGS[$n]}}; v=${v//\$$n/${RT_ARGS[$n]}}; done
  printf '%s' "$v"
}
for key in title description version revision source licenses; do
  k=org.opencontainers.image.$key
  v=$(label_of "$k")
  check "LABEL $k=${v:-<missing>}" bash -c '[[ -n "$1" && "$1" != *\$* ]]' _ "$v"
done
check "label version ($(label_of org.opencontainers.image.version)) is package.json's ($PKG_VERSION)" test "$(label_of org.opencontainers.image.version)" == "$PKG_VERSION"
check "label revision and source come from build args (REVISION, SOURCE_URL)" \
  bash -c '[[ "$1" == *REVISION* && "$2" == *SOURCE_URL* ]]' _ "${LABELS[org.opencontainers.image.revision]-}" "${LABELS[org.opencontainers.image.source]-}"
sbom_ok() {
  node - "$APP/sbom.cdx.json" "$CTX/package.json" "$CTX/package-lock.json" <<'JS'
const { readFileSync } = require('node:fs');
const [sbomFile, pkgFile, lockFile] = process.argv.slice(2);
let sbom;
try { sbom = JSON.parse(readFileSync(sbomFile, 'utf8')); } catch (e) { console.log(`SBOM is not JSON: ${e.message}`); process.exit(1); }
const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')); // the context's package.json (the image's has no dev list)
const lock = JSON.parse(readFileSync(lockFile, 'utf8'));
const components = new Map((sbom.components ?? []).map((c) => [c.name, c]));
const problems = [];
if (sbom.bomFormat !== 'CycloneDX') problems.push(`bomFormat ${sbom.bomFormat}`);
const self = `pkg:npm/${pkg.name}@${pkg.version}`;
if (sbom.metadata?.component?.purl !== self) problems.push(`metadata.component.purl ${sbom.metadata?.component?.purl} (want ${self})`);
for (const name of Object.keys(pkg.dependencies)) {
  const want = lock.packages[`node_modules/${name}`]?.version;
  const got = components.get(name)?.version;
  if (got !== want) problems.push(`${name}: ${got ?? 'missing'} (lockfile ${want})`);
}
for (const name of [...Object.keys(pkg.devDependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {})]) {
  if (components.has(name)) problems.push(`${name} is listed but not in the image`);
}
// Every component is a package the runtime dir holds, at that version (nested copies included).
const { existsSync } = require('node:fs');
const app = require('node:path').dirname(sbomFile);
const held = new Set(Object.keys(lock.packages).filter((k) => k && existsSync(`${app}/${k}/package.json`))
  .map((k) => `${k.slice(k.lastIndexOf('node_modules/') + 13)}@${JSON.parse(readFileSync(`${app}/${k}/package.json`, 'utf8')).version}`));
for (const c of sbom.components ?? []) if (!held.has(`${c.name}@${c.version}`)) problems.push(`${c.name}@${c.version} is listed but not in node_modules`);
if ((sbom.components ?? []).length !== held.size) problems.push(`${(sbom.components ?? []).length} components listed, ${held.size} packages in node_modules`);
console.log(`SBOM: ${sbom.specVersion ? `CycloneDX ${sbom.specVersion}, ` : ''}${components.size} components`);
if (problems.length) console.log(problems.join('\n'));
process.exit(problems.length ? 1 : 0);
JS
}
check "sbom.cdx.json in the image: CycloneDX JSON listing every production dependency at its lockfile version, no dev or optional one" sbom_ok

# ---------------------------------------------------------------------------------------------- run
log "run the CMD with the runtime ENV"
PORT=$(node -e "const s=require('node:net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
DATA=$RROOT/data-volume
mkdir -p "$DATA"
declare -a AS_USER=()
UID_GID=${RUNTIME_USER:-}
if [[ $(id -u) -eq 0 && -n "$UID_GID" ]] && command -v setpriv >/dev/null; then
  uid=${UID_GID%%:*} gid=${UID_GID#*:}
  [[ "$gid" == "$UID_GID" ]] && gid=$uid
  chown "$uid:$gid" "$DATA"
  AS_USER=(setpriv "--reuid=$uid" "--regid=$gid" --clear-groups --)
  echo "running as uid $uid gid $gid (USER $UID_GID), data dir owned by it as in the image"
else
  echo "running as $(id -un) (not root or no setpriv: the USER switch is not emulated)"
fi
SECRET="whsec_$(node -e "process.stdout.write(require('node:crypto').randomBytes(24).toString('base64'))")"
declare -a RUN_ENV=(PATH="$NODE_HOME/bin:/usr/local/bin:/usr/bin:/bin" HOME="$APP" "${RT_ENV[@]}"
  AGENTAI_URL=http://127.0.0.1:9 AGENTAI_BOT_ID=st-x AGENTAI_CLIENT_ID=cs-x AGENTAI_CLIENT_SECRET=secret
  BRIDGE_ADAPTERS=ada ADA_WEBHOOK_SECRETS="$SECRET"
  BRIDGE_HTTP_PORT="$PORT" BRIDGE_DATA_DIR="$DATA")
echo "command: ${CMD[*]} (in $WD; ENTRYPOINT ${ENTRYPOINT[*]:-} not used here); BRIDGE_HTTP_PORT=$PORT BRIDGE_DATA_DIR=$DATA"
echo "healthcheck: $HEALTHCHECK_CMD"
healthcheck() { (cd "$APP" && env -i "${RUN_ENV[@]}" sh -c "$HEALTHCHECK_CMD"); }
(cd "$APP" && exec env -i "${RUN_ENV[@]}" "${AS_USER[@]}" "${CMD[@]}") >"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
up=0
for _ in $(seq 1 60); do
  kill -0 "$DAEMON_PID" 2>/dev/null || break
  if healthcheck >/dev/null 2>&1; then up=1; break; fi
  sleep 0.5
done
if [[ $up -eq 1 ]]; then
  check "HEALTHCHECK command succeeds against the running daemon" healthcheck
  ready_code=$(node -e "fetch('http://127.0.0.1:$PORT/readyz').then(async r=>{console.log(r.status+' '+(await r.text()))},e=>console.log('error '+e.message))")
  echo "/readyz: $ready_code"
  check "/readyz answers 200" test "${ready_code%% *}" == 200
  check "SQLite store created in BRIDGE_DATA_DIR by the service user" bash -c 'ls "$1" | grep -q sqlite' _ "$DATA"
  ls -l "$DATA"
  log "SIGTERM"
  t0=$SECONDS
  kill -TERM "$DAEMON_PID"
  code=
  for _ in $(seq 1 400); do
    if ! kill -0 "$DAEMON_PID" 2>/dev/null; then
      set +e; wait "$DAEMON_PID"; code=$?; set -e
      break
    fi
    sleep 0.1
  done
  if [[ -z "$code" ]]; then
    fail "daemon exits within 40 s of SIGTERM"
  else
    DAEMON_PID=
    check "daemon exits 0 on SIGTERM (exit $code after $((SECONDS - t0))s)" test "$code" -eq 0
  fi
  healthcheck_fails() { ! healthcheck >/dev/null 2>&1; }
  check "HEALTHCHECK fails once the daemon has stopped" healthcheck_fails
else
  fail "daemon came up (HEALTHCHECK passing) within 30 s"
fi
echo "--- daemon log (last 25 lines)"
tail -n 25 "$WORK/daemon.log"
