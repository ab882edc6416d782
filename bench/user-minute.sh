#!/usr/bin/env bash
# One user's minute against a running gateway: signup, login, collection, upload, wait COMPLETE, search, ask; then
# the same collection as an assistant sees it: an OpenAI chat completion and MCP's tools/list (the Assistants app).
# Any failed call prints what it was, its status and body.
set -uo pipefail
B=${1:-http://localhost:7071}
throttled=$(mktemp); headers=$(mktemp); trap 'rm -f "$throttled" "$headers" /tmp/lh-$$.txt' EXIT
call() { # what method path [curl args...]: prints the body; on a non-2xx prints status+body to stderr and exits 1
  # A 429 is the rate limiter doing its job (600 calls a minute per caller on /api/collections): like a well-behaved
  # client, wait for its Retry-After and try again, and count it, so a fast machine does not turn it into a failure.
  local what=$1 method=$2 path=$3; shift 3
  local out code attempt
  for attempt in 1 2 3 4 5; do
    out=$(curl -s -D "$headers" -w '\n%{http_code}' -X "$method" "$B$path" "$@") || { echo "$what: curl failed ($?)"; exit 1; }
    code=${out##*$'\n'}; out=${out%$'\n'*}
    [ "$code" = 429 ] || break
    echo "$what" >> "$throttled"
    sleep "$(sed -nE 's/^[Rr]etry-[Aa]fter: *([0-9]+).*/\1/p' "$headers" | head -1 | grep . || echo 1)"
  done
  [[ $code == 2* ]] || { echo "$what: HTTP $code $(printf '%s' "$out" | head -c 300)"; exit 1; }
  printf '%s' "$out"
}
email="u$RANDOM$RANDOM@example.test"
r=$(call signup POST /api/auth/signup -H 'content-type: application/json' -d "{\"email\":\"$email\",\"password\":\"correct horse battery\",\"displayName\":\"U\"}") || { echo "$r"; exit 1; }
login=$(call login POST /api/auth/login -H 'content-type: application/json' -d "{\"email\":\"$email\",\"password\":\"correct horse battery\"}") || { echo "$login"; exit 1; }
tok=$(printf '%s' "$login" | sed -E 's/.*"accessToken":"([^"]+)".*/\1/')
H="authorization: Bearer $tok"
col=$(call collection POST /api/collections -H "$H" -H 'content-type: application/json' -d '{"name":"Smoke"}') || { echo "$col"; exit 1; }
col=$(printf '%s' "$col" | sed -E 's/.*"id":"([^"]+)".*/\1/')
printf 'Lighthouses guide ships past rocky coasts at night with rotating beams.\n' > /tmp/lh-$$.txt
doc=$(call upload POST /api/collections/$col/documents -H "$H" -F "files=@/tmp/lh-$$.txt") || { echo "$doc"; exit 1; }
doc=$(printf '%s' "$doc" | sed -E 's/.*"id":"([^"]+)".*/\1/')
st=""
for i in $(seq 1 120); do
  st=$(call status GET /api/collections/$col/documents/$doc -H "$H") || { echo "$st"; exit 1; }
  st=$(printf '%s' "$st" | sed -E 's/.*"status":"([A-Z]+)".*/\1/')
  [ "$st" = COMPLETE ] && break; sleep 0.5
done
[ "$st" = COMPLETE ] || { echo "document $st"; exit 1; }
end=$((SECONDS+60)); n=0
while [ $SECONDS -lt $end ]; do
  r=$(call search POST /api/collections/$col/search -H "$H" -H 'content-type: application/json' -d '{"query":"lighthouse beams","mode":"hybrid"}') || { echo "$r (after $n rounds)"; exit 1; }
  [[ $r == *Lighthouses* ]] || { echo "search after $n rounds did not find the document: $(printf '%s' "$r" | head -c 300)"; exit 1; }
  r=$(call ask POST /api/collections/$col/ask -H "$H" -H 'content-type: application/json' -d '{"question":"What guides ships?"}') || { echo "$r (after $n rounds)"; exit 1; }
  n=$((n+1))
done
r=$(call chat POST /api/v1/chat/completions -H "$H" -H 'content-type: application/json' -d '{"model":"Smoke","messages":[{"role":"user","content":"What guides ships?"}]}') || { echo "$r"; exit 1; }
[[ $r == *Lighthouses* ]] || { echo "the chat completion does not quote the document: $(printf '%s' "$r" | head -c 300)"; exit 1; }
r=$(call mcp POST /api/mcp -H "$H" -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' -d '{"jsonrpc":"2.0","id":1,"method":"tools/list"}') || { echo "$r"; exit 1; }
[[ $r == *list_collections* ]] || { echo "MCP tools/list lists no list_collections: $(printf '%s' "$r" | head -c 300)"; exit 1; }
r=$(call health GET /api/health) || { echo "$r"; exit 1; }
echo "ok: $n search+ask rounds in 60 s, then a chat completion and MCP tools/list ($(wc -l < "$throttled") answers were 429 and retried after their Retry-After)"
