#!/usr/bin/env bash
# Container smoke test: the Knowledge and Ingestion images, run from the repo's manifests under
# `podman kube play` against the local stack, ingest an uploaded document and find it by search.
#
#   scripts/container-smoke.sh [--no-build] [--prebuilt] [--aot-only]
#
#   --no-build   use the images already in the registry (tag $FATHOM_SMOKE_TAG) instead of building them
#   --prebuilt   the solution is already built (./fathom test): skip `dotnet build` of the CLI and the test
#   --aot-only   build without --fallback: fail if an app is not Native AOT clean
#   FATHOM_REGISTRY (127.0.0.1:5000), FATHOM_SMOKE_TAG (smoke): where the images go and come from
#
# Steps (non-interactive, root or sudo; idempotent):
#   1. scripts/stack.sh up                 Postgres :54329 (with the pgvector database), Redis :63799 (reused when up)
#   2. scripts/images.sh --tag smoke --fallback Knowledge Ingestion
#                                          installs podman buildah runc debootstrap docker-registry clang
#                                          (apt-get), starts the registry, publishes Native AOT onto the
#                                          scratch base or, when AOT fails, self-contained onto the
#                                          debootstrap minbase (Knowledge and Ingestion do today:
#                                          Azure.AI.OpenAI has trim/AOT warnings)
#   3. dotnet build tools/Cli and tests/Fathom.Deploy.Tests (unless --prebuilt)
#   4. dotnet test --filter ContainerSmokeTests with FATHOM_CONTAINER_SMOKE=1: a fresh database migrated
#      by fathom-cli, podman secrets, k8s/base rendered (kubectl kustomize) and patched for this host,
#      podman kube play, a user + ES256 token, upload → COMPLETE → search, teardown (see the test)
#   5. a safety net on exit: pods, secrets, the database and the stream of this run are removed even
#      when the test process was killed; then one line: "container-smoke: PASS|FAIL ..."
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export FATHOM_REGISTRY=${FATHOM_REGISTRY:-127.0.0.1:5000}
export FATHOM_SMOKE_TAG=${FATHOM_SMOKE_TAG:-smoke}
BUILD_IMAGES=1 BUILD_DOTNET=1 FALLBACK=--fallback
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) BUILD_IMAGES=0 ;;
    --prebuilt) BUILD_DOTNET=0 ;;
    --aot-only) FALLBACK= ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

RUN="smk$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
export FATHOM_SMOKE_RUN=$RUN FATHOM_CONTAINER_SMOKE=1
LOGS="$ROOT/.fathom/container-smoke"
mkdir -p "$LOGS"
START=$(date +%s)
T_STACK=- T_IMAGES=- T_BUILD=- T_TEST=- KINDS="" RESULT=FAIL REASON="did not finish"

say() { printf '\033[1;36m[smoke]\033[0m %s\n' "$*"; }
since() { echo $(( $(date +%s) - $1 )); }

# The same podman settings images.sh writes (runc, default_ulimits, the insecure local registry).
export CONTAINERS_CONF="$ROOT/.fathom/containers/containers.conf"
export CONTAINERS_REGISTRIES_CONF="$ROOT/.fathom/containers/registries.conf"

# Safety net: what the test names after this run, removed even if the test process died.
leftovers() {
  command -v podman >/dev/null 2>&1 || return 0
  local pods secrets
  pods=$(podman pod ls --format '{{.Name}}' 2>/dev/null | grep -- "-$RUN" || true)
  [ -z "$pods" ] || { say "removing leftover pods: $pods"; echo "$pods" | xargs podman pod rm -f -t 5 >/dev/null 2>&1 || true; }
  secrets=$(podman secret ls --format '{{.Name}}' 2>/dev/null | grep -- "-$RUN\$" || true)
  [ -z "$secrets" ] || { say "removing leftover secrets"; echo "$secrets" | xargs podman secret rm >/dev/null 2>&1 || true; }
  if [ -s "$ROOT/.fathom/postgres.password" ] && command -v psql >/dev/null 2>&1; then
    PGPASSWORD=$(cat "$ROOT/.fathom/postgres.password") psql -h 127.0.0.1 -p "${FATHOM_PG_PORT:-54329}" -U fathom -d postgres -qtAc \
      "DROP DATABASE IF EXISTS fathom_$RUN WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  if [ -s "$ROOT/.fathom/redis.password" ] && command -v redis-cli >/dev/null 2>&1; then
    redis-cli -p "${FATHOM_REDIS_PORT:-63799}" -a "$(cat "$ROOT/.fathom/redis.password")" --no-auth-warning \
      DEL "smoke:ingest:$RUN" "smoke:ingest:$RUN:dead" >/dev/null 2>&1 || true
  fi
}
finish() {
  local code=$?
  [ "$RESULT" = PASS ] || leftovers
  printf 'container-smoke: %s%s (images %s; stack %ss, images %ss, dotnet build %ss, test %ss; total %ss) run %s\n' \
    "$RESULT" "$([ "$RESULT" = PASS ] || echo " - $REASON")" "${KINDS:-?}" \
    "$T_STACK" "$T_IMAGES" "$T_BUILD" "$T_TEST" "$(since "$START")" "$RUN"
  [ "$RESULT" = PASS ] && exit 0
  exit $(( code == 0 ? 1 : code ))
}
trap finish EXIT
trap 'REASON="interrupted"; exit 130' INT TERM

# 0. what this script itself needs (images.sh installs the rest: buildah, runc, debootstrap, the
# registry, clang). kube play runs every pod with an infra container whose image podman builds
# from catatonit, which Debian's podman only recommends (images.sh installs without recommends).
need=()
command -v podman >/dev/null 2>&1 || need+=(podman)
[ -x /usr/libexec/podman/catatonit ] || need+=(catatonit)
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  REASON="apt-get install ${need[*]} failed"
  say "installing ${need[*]} (apt-get)"
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# 1. the stack
t=$(date +%s)
REASON="scripts/stack.sh up failed"
scripts/stack.sh up
T_STACK=$(since "$t")

# 2. the images
t=$(date +%s)
if [ "$BUILD_IMAGES" = 1 ]; then
  REASON="scripts/images.sh failed (logs: .fathom/images/logs/)"
  say "building the images (scripts/images.sh --tag $FATHOM_SMOKE_TAG $FALLBACK Knowledge Ingestion)"
  # shellcheck disable=SC2086 # FALLBACK is empty or one word
  bash scripts/images.sh --tag "$FATHOM_SMOKE_TAG" $FALLBACK Knowledge Ingestion | tee "$LOGS/images.txt"
  KINDS=$(awk '$1 ~ /^fathom\/(knowledge|ingestion)$/ { printf "%s%s=%s %s", sep, substr($1, 8), $3, $4 " " $5; sep=", " }' "$LOGS/images.txt")
else
  REASON="the registry $FATHOM_REGISTRY is not up (run without --no-build)"
  curl -fsS --max-time 2 "http://$FATHOM_REGISTRY/v2/" >/dev/null
  KINDS="prebuilt"
fi
T_IMAGES=$(since "$t")
[ -f "$CONTAINERS_CONF" ] || { REASON="$CONTAINERS_CONF missing (run scripts/images.sh once)"; exit 1; }

# 3. the CLI (migrations) and the test
t=$(date +%s)
if [ "$BUILD_DOTNET" = 1 ]; then
  REASON="dotnet build failed"
  say "building tools/Cli and tests/Fathom.Deploy.Tests"
  dotnet build tools/Cli/Fathom.Cli.csproj -c Debug -nologo -v q -clp:ErrorsOnly
  dotnet build tests/Fathom.Deploy.Tests/Fathom.Deploy.Tests.csproj -c Debug -nologo -v q -clp:ErrorsOnly
fi
T_BUILD=$(since "$t")

# 4. the smoke test
t=$(date +%s)
REASON="the smoke test failed (output above; .fathom/container-smoke/test.txt)"
say "running ContainerSmokeTests (run $RUN)"
set +e
timeout 900 dotnet test tests/Fathom.Deploy.Tests/Fathom.Deploy.Tests.csproj --no-build -c Debug -nologo \
  --filter "FullyQualifiedName~Fathom.Deploy.Tests.ContainerSmokeTests" \
  --logger "console;verbosity=detailed" 2>&1 | tee "$LOGS/test.txt"
status=${PIPESTATUS[0]}
set -e
T_TEST=$(since "$t")
if [ "$status" = 0 ] && grep -Eq 'Passed: +1\b' "$LOGS/test.txt" && ! grep -Eq 'Skipped: +[1-9]' "$LOGS/test.txt"; then
  RESULT=PASS
elif [ "$status" = 124 ]; then
  REASON="the smoke test timed out after 900 s"
fi
