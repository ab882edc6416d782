#!/usr/bin/env bash
# ./fathom start from a fresh clone, N times, each while a full solution build runs beside it, then a user's minute
# (bench/user-minute.sh) through the gateway. Appends one line per start to $WORK/summary.txt.
#   N=10 WORK=/tmp/fathom-start-loop bench/start-loop.sh
# The clones use this checkout's running stack (.fathom is linked), so run `./fathom start` or `scripts/stack.sh up` once first.
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N=${N:-10}
WORK=${WORK:-/tmp/fathom-start-loop}
clone=$WORK/fresh; load=$WORK/load
mkdir -p "$WORK"; rm -rf "$clone" "$load" "$WORK"/start-*.log
git clone -q "$ROOT" "$clone" && git clone -q "$ROOT" "$load"
ln -s "$ROOT/.fathom" "$clone/.fathom"; ln -s "$ROOT/.fathom" "$load/.fathom"
echo "$(date -u +%H:%M:%S) building the fresh clone and the load clone once" | tee -a "$WORK/summary.txt"
(cd "$clone" && dotnet build Functions.sln -v q -nologo >/dev/null 2>&1); (cd "$load" && dotnet build Functions.sln -v q -nologo >/dev/null 2>&1)
ok=0
for i in $(seq 1 "$N"); do
  (cd "$load" && dotnet build Functions.sln --no-incremental -v q -nologo >/dev/null 2>&1) & bp=$!
  (cd "$clone" && exec ./fathom start) > "$WORK/start-$i.log" 2>&1 & sp=$!
  t0=$SECONDS; ready=0
  while [ $((SECONDS - t0)) -lt 900 ]; do
    grep -qs "Fathom is ready" "$WORK/start-$i.log" && { ready=1; break; }
    kill -0 $sp 2>/dev/null || break
    sleep 1
  done
  secs=$((SECONDS - t0)); load1=$(cut -d' ' -f1 /proc/loadavg)
  use=""
  if [ $ready = 1 ] && use=$("$ROOT/bench/user-minute.sh" 2>&1) && kill -0 $sp 2>/dev/null; then
    ok=$((ok + 1)); echo "start $i: ready after ${secs} s (load $load1); $use; gateway still up" | tee -a "$WORK/summary.txt"
  else
    echo "start $i: FAILED (ready=$ready after ${secs} s; alive=$(kill -0 $sp 2>/dev/null && echo yes || echo no); use: ${use}) see start-$i.log" | tee -a "$WORK/summary.txt"
  fi
  kill -TERM $sp 2>/dev/null; wait $sp 2>/dev/null
  kill $bp 2>/dev/null; wait $bp 2>/dev/null
  pkill -f "$clone/functions" 2>/dev/null; sleep 2
done
echo "$ok of $N starts came up and served a user's minute" | tee -a "$WORK/summary.txt"
