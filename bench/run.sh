#!/usr/bin/env bash
# The benchmark suite (./fathom bench): builds what it measures, starts the local stack if needed, waits for a
# quiet machine, runs bench/Fathom.Bench and leaves bench/results/<date>.json and .md.
#   bench/run.sh [--quick] [--skip-build] [--suites coldstart,ingestion,search,throughput,scale] [--max-rows N]
#                [--runs N] [--apps Tasks,HelloAot] [--shared-vector-store] [--no-wait]
#   --quick       a short development run (3 cold starts, 200 docs, 10k chunks, 5 s of load); results go to bench/results/raw/
#   --skip-build  use the binaries already built (bench/.out and functions/*/bin/Release)
#   --no-wait     do not wait for the load average to drop before measuring
#   --build-only  build and stop
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

say() { printf '\033[1;35m[bench]\033[0m %s\n' "$*"; }

BUILD=1 WAIT=1 ONLY_BUILD=0 ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --skip-build) BUILD=0 ;;
    --no-wait) WAIT=0 ;;
    --build-only) ONLY_BUILD=1 ;;
    *) ARGS+=("$1") ;;
  esac
  shift
done

OUT="$ROOT/bench/.out"
RAW="$ROOT/bench/results/raw"
mkdir -p "$OUT" "$RAW"
STATUS="$OUT/build-status.tsv"   # app <TAB> flavour <TAB> ok|failed <TAB> seconds <TAB> log

# One build step; a failure is recorded (with its log) and the suite goes on without that binary.
step() {
  local app=$1 flavour=$2; shift 2
  local log="$RAW/build-$app-$flavour.log" start=$SECONDS
  # A second try when the failure was not the code's: other builds in the same tree can rewrite a shared dll under
  # the compiler (ILC then dies with SIGBUS); trim/AOT analysis errors (ILnnnn) and compile errors would only repeat.
  if "$@" >"$log" 2>&1 || { ! grep -qE 'error (IL|CS|NETSDK)[0-9]+' "$log" && sleep 5 && "$@" >"$log" 2>&1; }; then
    printf '%s\t%s\tok\t%s\t%s\n' "$app" "$flavour" $((SECONDS - start)) "$log" >>"$STATUS"
  else
    printf '%s\t%s\tfailed\t%s\t%s\n' "$app" "$flavour" $((SECONDS - start)) "$log" >>"$STATUS"
    say "  $app ($flavour) failed to build: see $log"
  fi
}

apps() { for p in functions/*/*.Functions.csproj; do basename "$(dirname "$p")"; done; }

if [ "$BUILD" = 1 ]; then
  say "building (Release; ReadyToRun and Native AOT publishes) — logs in bench/results/raw/"
  : >"$STATUS"
  dotnet build bench/Fathom.Bench -c Release -nologo -v q -clp:ErrorsOnly
  dotnet build tools/Gateway -c Release -nologo -v q -clp:ErrorsOnly
  step HelloAot aot dotnet publish bench/HelloAot -c Release -r linux-x64 -p:PublishAot=true -o "$OUT/aot/HelloAot" -nologo -v q -clp:ErrorsOnly
  for app in $(apps); do
    say "  $app"
    proj="functions/$app/$app.Functions.csproj"
    step "$app" jit dotnet build "$proj" -c Release -nologo -v q -clp:ErrorsOnly
    # PublishAot is on for every app (functions/Directory.Build.props), so ReadyToRun turns it off.
    step "$app" r2r dotnet publish "$proj" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -p:PublishAot=false \
      -o "$OUT/r2r/$app" -nologo -v q -clp:ErrorsOnly
    # Into bin/Release/net10.0/linux-x64/publish, where the gateway's Binaries=Aot looks. PublishAot=true comes from
    # functions/Directory.Build.props: passing it on the command line would also reach the netstandard2.0 source
    # generator project, which then fails with NETSDK1207.
    step "$app" aot dotnet publish "$proj" -c Release -r linux-x64 -nologo -v q -clp:ErrorsOnly
  done
fi

[ "$ONLY_BUILD" = 1 ] && exit 0

scripts/stack.sh up

if ! command -v wrk >/dev/null; then
  say "installing wrk (apt-get) for the throughput measurement"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi

# The search suite's real-text set: the Python library reference of Debian's python3.11-doc, built here (about 8 MB,
# not committed) with bench/eval/python_docs.py, and the independent BM25 reference run beside it.
wants_search() {
  local i
  for ((i = 0; i < ${#ARGS[@]}; i++)); do
    if [ "${ARGS[$i]}" = --suites ]; then [[ ",${ARGS[$((i + 1))],,}," == *,search,* ]]; return; fi
  done
}
if wants_search; then
  if [ ! -d /usr/share/doc/python3.11/html/library ]; then
    say "installing python3.11-doc (apt-get) for the real-text search set"
    sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends python3.11-doc >/dev/null \
      || { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends python3.11-doc >/dev/null; } \
      || say "python3.11-doc could not be installed: the search suite runs without the real-text set"
  fi
  if [ -d /usr/share/doc/python3.11/html/library ]; then
    say "building the real-text set (bench/eval/python_docs.py) and its BM25 reference"
    python3 bench/eval/python_docs.py "$OUT/python-docs" && python3 bench/eval/bm25_reference.py "$OUT/python-docs" \
      && ARGS+=(--real-set "$OUT/python-docs")
  fi
fi

if [ "$WAIT" = 1 ]; then
  # 2 shared cores: measure when other builds are not running (at most 10 minutes of waiting).
  for i in $(seq 1 60); do
    load=$(cut -d' ' -f1 /proc/loadavg)
    if awk -v l="$load" 'BEGIN { exit !(l < 0.8) }'; then break; fi
    [ "$i" = 1 ] && say "load average $load: waiting for the machine to quiet down (up to 10 min)"
    sleep 10
  done
fi

say "running the suite (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
exec dotnet bench/Fathom.Bench/bin/Release/net10.0/Fathom.Bench.dll --root "$ROOT" --build-status "$STATUS" "${ARGS[@]}"
