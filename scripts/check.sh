#!/usr/bin/env bash
# What ships, checked: no secret committed, no NuGet package with a known advisory, a CycloneDX SBOM per function app
# image (artifacts/sbom/<App>.cdx.json). ./fathom test runs it after the tests; `./fathom check` runs it alone.
#   scripts/check.sh [secrets|packages|sbom]...   (all three when none is named)
#   scripts/check.sh secrets <dir>                scan another git work tree (the test plants secrets in one)
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { printf '\033[1;34m[check]\033[0m %s\n' "$*"; }
fail() { printf '\033[1;31m[check]\033[0m %s\n' "$*" >&2; }

# Patterns of credentials that must never be committed. Test fixtures with fake values opt out line by line with
# the marker `secret-scan: fake` (say why beside it); there is no file-wide allow list to forget about.
SECRET_PATTERNS=(
  '-----BEGIN ([A-Z]+ )?PRIVATE KEY-----'
  'AKIA[0-9A-Z]{16}'
  'sk-(proj-)?[A-Za-z0-9_-]{32,}'
  'AccountKey=[A-Za-z0-9+/]{40,}={0,2}'
  'xox[abprs]-[A-Za-z0-9-]{10,}'
  'gh[pousr]_[A-Za-z0-9]{36}'
  'eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}'
  'fth_[0-9a-f]{8}_[A-Za-z0-9_-]{40,}'
  '(Password|Pwd)=[^;"'"'"'<>{}$ ]{6,}'
)

secrets() {
  local dir="${1:-$ROOT}" pattern found=0 hits
  say "secrets: scanning the files git tracks in $dir"
  for pattern in "${SECRET_PATTERNS[@]}"; do
    # -I skips binaries; lines marked as fake fixtures are dropped.
    hits=$(git -C "$dir" grep -nIE -e "$pattern" -- . ':!*.lock' ':!*package-lock.json' 2>/dev/null | grep -v 'secret-scan: fake' || true)
    if [ -n "$hits" ]; then
      fail "secrets: committed text matches /$pattern/:"
      printf '%s\n' "$hits" | cut -c1-200 >&2
      found=1
    fi
  done
  [ $found = 0 ] && say "secrets: none found (${#SECRET_PATTERNS[@]} patterns)"
  return $found
}

packages() {
  # NuGet's advisory database, as restore's audit reads it. Note: the registry mirror on the build machine serves no
  # advisories (System.Text.Json 8.0.0, CVE-2024-30105, comes back clean there), so there this passes by construction;
  # against nuget.org it fails on any advisory of any severity, transitive ones included.
  say "packages: dotnet list package --vulnerable --include-transitive"
  local out
  out=$(cd "$ROOT" && dotnet list Functions.sln package --vulnerable --include-transitive 2>&1) || { fail "packages: dotnet list failed"; printf '%s\n' "$out" >&2; return 1; }
  if printf '%s\n' "$out" | grep -q 'has the following vulnerable packages'; then
    fail "packages: vulnerable packages:"
    printf '%s\n' "$out" | grep -v 'has no vulnerable packages' >&2
    return 1
  fi
  say "packages: no advisories for $(printf '%s\n' "$out" | grep -c 'has no vulnerable packages') projects"
}

sbom() {
  local out="$ROOT/artifacts/sbom" app status=0
  mkdir -p "$out"
  (cd "$ROOT" && dotnet tool restore >/dev/null) || { fail "sbom: dotnet tool restore failed (CycloneDX, .config/dotnet-tools.json)"; return 1; }
  for project in "$ROOT"/functions/*/*.Functions.csproj; do
    app=$(basename "$(dirname "$project")")
    # One SBOM per image: each image holds one function app's publish output (functions/Dockerfile).
    if (cd "$ROOT" && dotnet tool run dotnet-CycloneDX "$project" -o "$out" -fn "$app.cdx.json" -F Json -sv "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo dev)" >/dev/null 2>"$out/$app.err"); then
      rm -f "$out/$app.err"
    else
      fail "sbom: $app failed:"; cat "$out/$app.err" >&2; status=1
    fi
  done
  [ $status = 0 ] && say "sbom: $(ls "$out"/*.cdx.json | wc -l) CycloneDX documents in artifacts/sbom/"
  return $status
}

if [ "${1:-}" = secrets ] && [ -n "${2:-}" ]; then
  secrets "$2"; exit $?
fi
steps=("$@"); [ ${#steps[@]} = 0 ] && steps=(secrets packages sbom)
status=0
for step in "${steps[@]}"; do
  case "$step" in
    secrets|packages|sbom) "$step" || status=1 ;;
    *) fail "unknown check '$step' (secrets, packages, sbom)"; exit 2 ;;
  esac
done
exit $status
