#!/usr/bin/env bash
# Writes functions/<App>/aot-roots.rd.xml for each function app: the generic types its dependency-injection container
# closes at run time (IOptions<T>, OptionsFactory<T>, Logger<T>, ...), which Native AOT then compiles ahead instead of
# having the runtime's type loader build them during start (bench/ANALYSIS.md, section 4).
#
#   scripts/aot-roots.sh [App ...]      (default: every app under functions/)
#
# Each app's JIT build runs against the local stack (./fathom start's settings) with tools/AotRoots as a startup hook,
# answers /health/live and /health/ready, and is stopped; the hook writes the file as the app exits. Run it after
# adding or renaming services: a missing entry only costs start time, a stale name fails the AOT publish (and
# AotRootsTests says which). A timer function that happens to fire during the run adds its own types (Maintenance's
# file can differ by those between runs); keep the larger file.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

apps=("$@")
[ ${#apps[@]} -gt 0 ] || apps=($(cd functions && ls -d */ | tr -d / ))
if [ ! -f local.settings.json ]; then echo "aot-roots: no local.settings.json; run ./fathom start once (it writes one)" >&2; exit 2; fi
scripts/stack.sh up >/dev/null
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
build() { dotnet build "$1" -c Debug -nologo -v q > "$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }; }
build tools/AotRoots
port=7190
for app in "${apps[@]}"; do
  build "functions/$app"
  bin="functions/$app/bin/Debug/net10.0"
  # The apps are trimmed and AOT-compiled in production, so their runtimeconfig turns startup hooks off; this run
  # turns them back on in a copy.
  sed 's/"System.StartupHookProvider.IsSupported": false/"System.StartupHookProvider.IsSupported": true/' \
    "$bin/$app.Functions.runtimeconfig.json" > "$work/$app.runtimeconfig.json"
  port=$((port + 1))
  # Removed first, so a hook that fails as the app exits leaves no file behind to pass for a fresh one.
  rm -f "functions/$app/aot-roots.rd.xml"
  ASPNETCORE_URLS="http://127.0.0.1:$port" DOTNET_STARTUP_HOOKS="$ROOT/tools/AotRoots/bin/Debug/net10.0/Fathom.AotRoots.dll" \
    FATHOM_AOT_ROOTS_OUT="$ROOT/functions/$app/aot-roots.rd.xml" \
    dotnet exec --runtimeconfig "$work/$app.runtimeconfig.json" "$bin/$app.Functions.dll" > "$work/$app.log" 2>&1 &
  pid=$!
  ready=0
  for _ in $(seq 1 300); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$port/health/live" 2>/dev/null; then ready=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ "$ready" = 1 ]; then curl -sS -o /dev/null "http://127.0.0.1:$port/health/ready" || true; fi
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" || true
  if [ "$ready" != 1 ]; then echo "aot-roots: $app did not answer /health/live; its log:" >&2; cat "$work/$app.log" >&2; exit 1; fi
  echo "aot-roots: functions/$app/aot-roots.rd.xml ($(grep -c '<Type ' "functions/$app/aot-roots.rd.xml") types)"
done
