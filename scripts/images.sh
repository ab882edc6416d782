#!/usr/bin/env bash
# Builds a container image of every function app on this machine, without Docker:
# podman/buildah (runc) + a local docker-registry + the .NET SDK's container support.
#
#   scripts/images.sh [--tag TAG] [--azure] [--fallback] [--smoke] [App ...]
#
#   App ...     project directories under functions/ (default: every functions/*/*.csproj,
#               plus tools/Cli as fathom/cli when it exists)
#   --tag TAG   image tag (default: latest)
#   --azure     the passwordless-Azure flavour that k8s/overlays/azure deploys: apps built with Azure sign-in
#               (-p:FathomAzureSignIn=true, DefaultAzureCredential), tagged TAG-azure. The plain images leave it
#               out (3.7 MB, ~12 ms of cold start, 2.7 MiB idle per app; shared/Fathom.Connections/Entra/AzureSignIn.cs)
#   --fallback  an app whose Native AOT publish fails is published self-contained (not AOT)
#               onto a debootstrap --variant=minbase Debian base instead of failing
#   --smoke     run each image with podman and GET /health/live
#   FATHOM_REGISTRY=127.0.0.1:5001  another local registry (own data dir .fathom/registry-5001),
#               e.g. for a cold-cache run beside the shared one on 127.0.0.1:5000
#
# What it does (see the design notes beside the repository (../shared/DESIGN.md) "Deployment", k8s/README.md):
#   1. installs podman buildah runc debootstrap docker-registry clang zlib1g-dev if missing
#   2. writes .fathom/containers/{containers.conf,registries.conf} (runc, default_ulimits,
#      127.0.0.1:5000 insecure) and exports CONTAINERS_CONF / CONTAINERS_REGISTRIES_CONF
#   3. starts docker-registry on 127.0.0.1:5000 (config and data in .fathom/registry)
#   4. publishes every app Native AOT and runs ldd on the binaries (and their .so files)
#   5. builds fathom/base-aot from scratch with buildah: exactly those glibc files, plus
#      OpenSSL when a binary dlopens it, CA certificates, a passwd entry for uid 1654
#   6. dotnet publish -t:PublishContainer onto that base, pushed to 127.0.0.1:5000/fathom/<app>
#   7. prints a table of image sizes
# Build output goes to .fathom/images/artifacts (UseArtifactsOutput), never to the apps'
# own bin/obj, so it does not collide with a developer's build of the same projects.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
STATE="$ROOT/.fathom"
REG=${FATHOM_REGISTRY:-127.0.0.1:5000}
REGDIR="$STATE/registry"
[ "$REG" = 127.0.0.1:5000 ] || REGDIR="$STATE/registry-${REG##*:}"
BASE_AOT="$REG/fathom/base-aot:latest"
BASE_DEB="$REG/fathom/base-debian:bookworm"
TAG=latest AZURE=0 FALLBACK=0 SMOKE=0
APPS=()

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) TAG=${2:?--tag needs a value}; shift ;;
    --azure) AZURE=1 ;;
    --fallback) FALLBACK=1 ;;
    --smoke) SMOKE=1 ;;
    -h|--help) sed -n '2,/^set -e/{/^set -e/!p}' "$0"; exit 0 ;;
    -*) die "unknown option $1" ;;
    *) APPS+=("$1") ;;
  esac
  shift
done

SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo

# --- 1. packages (idempotent) ------------------------------------------------------
ensure_packages() {
  local missing=() pair cmd pkg
  for pair in podman:podman buildah:buildah runc:runc debootstrap:debootstrap \
              docker-registry:docker-registry clang:clang curl:curl python3:python3 openssl:openssl; do
    cmd=${pair%%:*} pkg=${pair#*:}
    command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || missing+=("$pkg")
  done
  dpkg -s zlib1g-dev >/dev/null 2>&1 || missing+=(zlib1g-dev)
  dpkg -s ca-certificates >/dev/null 2>&1 || missing+=(ca-certificates)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
  command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet) is not installed"
}

# --- 2. container configuration ---------------------------------------------------
configure_containers() {
  mkdir -p "$STATE/containers"
  # runc: crun fails on this machine's hybrid cgroups; without default_ulimits the
  # containers inherit limits podman cannot set here.
  cat > "$STATE/containers/containers.conf" <<'EOF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]

[engine]
runtime = "runc"
EOF
  cat > "$STATE/containers/registries.conf" <<EOF
unqualified-search-registries = []

[[registry]]
location = "$REG"
insecure = true
EOF
  export CONTAINERS_CONF="$STATE/containers/containers.conf"
  export CONTAINERS_REGISTRIES_CONF="$STATE/containers/registries.conf"
  # The SDK's container tooling talks plain HTTP only to registries listed here
  # (DOTNET_CONTAINER_INSECURE_REGISTRIES in SDK 10, SDK_CONTAINER_... in SDK 9).
  export DOTNET_CONTAINER_INSECURE_REGISTRIES="$REG"
  export SDK_CONTAINER_INSECURE_REGISTRIES="$REG"
}

# --- 3. local registry ------------------------------------------------------------
start_registry() {
  if curl -fsS --max-time 2 "http://$REG/v2/" >/dev/null 2>&1; then
    log "registry already up on $REG"
    return
  fi
  mkdir -p "$REGDIR/data"
  cat > "$REGDIR/config.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $REGDIR/data
  delete:
    enabled: true
http:
  addr: $REG
EOF
  local bin
  bin=$(command -v docker-registry || echo /usr/bin/docker-registry)
  log "starting docker-registry on $REG (data in ${REGDIR#"$ROOT"/}/data)"
  nohup "$bin" serve "$REGDIR/config.yml" > "$REGDIR/registry.log" 2>&1 &
  echo $! > "$REGDIR/registry.pid"
  for _ in $(seq 1 50); do
    curl -fsS --max-time 1 "http://$REG/v2/" >/dev/null 2>&1 && return
    sleep 0.2
  done
  cat "$REGDIR/registry.log" >&2
  die "docker-registry did not come up on $REG"
}

# --- apps ------------------------------------------------------------------------
# "Dir|project path|image repository"
discover_apps() {
  local csproj dir want
  for csproj in "$ROOT"/functions/*/*.csproj; do
    [ -e "$csproj" ] || continue
    dir=$(basename "$(dirname "$csproj")")
    if [ ${#APPS[@]} -gt 0 ]; then
      want=0
      for a in "${APPS[@]}"; do [ "${a,,}" = "${dir,,}" ] && want=1; done
      [ "$want" = 1 ] || continue
    fi
    echo "$dir|$csproj|fathom/${dir,,}"
  done
  if [ ${#APPS[@]} -eq 0 ]; then
    for csproj in "$ROOT"/tools/Cli/*.csproj; do
      [ -e "$csproj" ] && echo "Cli|$csproj|fathom/cli"
    done
  fi
  return 0
}

ARTIFACTS="$STATE/images/artifacts"
FLAVOUR_PROPS=()
if [ "$AZURE" = 1 ]; then
  # Its own artifacts, so that neither flavour's incremental build reuses the other's native code.
  ARTIFACTS="$STATE/images/artifacts-azure" TAG="$TAG-azure" FLAVOUR_PROPS=(-p:FathomAzureSignIn=true)
fi
# CopyOutputSymbolsToPublishDirectory=false: StripSymbols leaves the native debug symbols in
# <App>.Functions.dbg (~100 MB for Knowledge), which would otherwise land in the image; they
# stay in .fathom/images/artifacts (functions/Dockerfile drops them the same way: rm /out/*.dbg).
publish_props=(-c Release -r linux-x64 -p:UseArtifactsOutput=true "-p:ArtifactsPath=$ARTIFACTS/"
               -p:CopyOutputSymbolsToPublishDirectory=false "${FLAVOUR_PROPS[@]}")

# -p:PublishAot=true on the command line is a *global* property: it reaches every referenced
# project, including the function source generator (netstandard2.0), which then fails with
# NETSDK1207. The function apps set PublishAot in functions/Directory.Build.props, so pass it
# only to a project that does not set it itself.
aot_props() { # csproj
  if [ "$(dotnet msbuild "$1" -getProperty:PublishAot 2>/dev/null | tr -d '[:space:]')" = true ]; then
    return 0
  fi
  echo "-p:PublishAot=true"
}

# --- 4. AOT publish + ldd ----------------------------------------------------------
LIBS_FILE="$STATE/images/libs.txt"
aot_publish() { # dir csproj -> publish dir on stdout
  local dir=$1 csproj=$2 out="$STATE/images/publish/$1"
  rm -rf "$out"
  # shellcheck disable=SC2046 # aot_props prints zero or one word
  if dotnet publish "$csproj" "${publish_props[@]}" $(aot_props "$csproj") -o "$out" \
       > "$STATE/images/logs/$dir.aot.log" 2>&1; then
    echo "$out"
  else
    tail -n 30 "$STATE/images/logs/$dir.aot.log" >&2
    return 1
  fi
}
collect_libs() { # publish dir: append the shared objects it needs to LIBS_FILE
  local out=$1 f
  for f in "$out"/*; do
    [ -f "$f" ] || continue
    case "$f" in *.so|*.so.*) ;; *) [ -x "$f" ] || continue ;; esac
    [ "$(head -c 4 "$f" | tr -d '\0' | cut -c2-4)" = ELF ] || continue
    ldd "$f" 2>/dev/null | awk '
      /=> \// { print $3; next }
      /^[ \t]*\// { print $1 }' >> "$LIBS_FILE" || true
    # System.Security.Cryptography.Native (static in an AOT binary) dlopens OpenSSL:
    # ldd cannot see it, so look for the soname in the binary.
    if grep -aq 'libssl\.so\.3' "$f"; then
      for lib in libssl.so.3 libcrypto.so.3; do
        # No early exit in awk: ldconfig would get SIGPIPE, and pipefail would end the script.
        ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64/ && !found { print $NF; found = 1 }' >> "$LIBS_FILE"
      done
    fi
  done
}

# --- 5. the scratch base image -----------------------------------------------------
build_base_aot() {
  local rootfs="$STATE/images/base-aot-rootfs" lib dep ctr
  rm -rf "$rootfs"
  mkdir -p "$rootfs"/{etc/ssl/certs,tmp,app,home/app}
  chmod 1777 "$rootfs/tmp"
  # the libraries and what they need in turn (OpenSSL's own deps)
  sort -u "$LIBS_FILE" -o "$LIBS_FILE"
  for lib in $(cat "$LIBS_FILE"); do
    for dep in "$lib" $(ldd "$lib" 2>/dev/null | awk '/=> \//{print $3} /^[ \t]*\//{print $1}'); do
      [ -e "$rootfs$dep" ] && continue
      mkdir -p "$rootfs$(dirname "$dep")"
      cp -L "$dep" "$rootfs$dep"
    done
  done
  cp -L /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
  printf 'root:x:0:0:root:/root:/sbin/nologin\napp:x:1654:1654:app:/home/app:/sbin/nologin\n' > "$rootfs/etc/passwd"
  printf 'root:x:0:\napp:x:1654:\n' > "$rootfs/etc/group"
  printf 'hosts: files dns\n' > "$rootfs/etc/nsswitch.conf"
  chown 1654:1654 "$rootfs/home/app"
  log "base-aot files: $(cd "$rootfs" && find . -type f ! -path './etc/*' | sort | tr '\n' ' ')"

  ctr=$(buildah from scratch)
  buildah copy --quiet "$ctr" "$rootfs" / >/dev/null
  buildah config \
    --user 1654:1654 --workingdir /app --port 8080 \
    --env ASPNETCORE_HTTP_PORTS=8080 \
    --env DOTNET_RUNNING_IN_CONTAINER=true \
    --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    --env HOME=/home/app \
    --label org.opencontainers.image.title=fathom-base-aot \
    --label org.opencontainers.image.description="glibc + OpenSSL + CA certs for Fathom's Native AOT apps" \
    "$ctr"
  buildah commit --quiet --format docker --rm "$ctr" "$BASE_AOT" >/dev/null
  buildah push --quiet "$BASE_AOT" "docker://$BASE_AOT"
  log "pushed $BASE_AOT"
}

# --- optional: debootstrap minbase for apps that cannot publish AOT yet ------------
build_base_debian() {
  if curl -fsS --max-time 2 "http://$REG/v2/fathom/base-debian/manifests/bookworm" \
       -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' >/dev/null 2>&1; then
    return
  fi
  local rootfs="$STATE/images/base-debian-rootfs" mirror ctr
  mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  if [ ! -x "$rootfs/bin/sh" ]; then
    log "debootstrap --variant=minbase bookworm from $mirror"
    rm -rf "$rootfs"
    $SUDO debootstrap --variant=minbase --include=ca-certificates,libssl3 bookworm "$rootfs" "$mirror" >&2
    $SUDO chroot "$rootfs" sh -c 'groupadd -g 1654 app && useradd -u 1654 -g 1654 -m -d /home/app -s /usr/sbin/nologin app'
    $SUDO rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  fi
  # buildah add unpacks a local tar archive (it does not read one from stdin).
  tar -C "$rootfs" --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -cf "$STATE/images/base-debian.tar" .
  ctr=$(buildah from scratch)
  buildah add --quiet "$ctr" "$STATE/images/base-debian.tar" / >/dev/null
  rm -f "$STATE/images/base-debian.tar"
  buildah config --user 1654:1654 --workingdir /app --port 8080 \
    --env ASPNETCORE_HTTP_PORTS=8080 --env DOTNET_RUNNING_IN_CONTAINER=true "$ctr"
  buildah commit --quiet --format docker --rm "$ctr" "$BASE_DEB" >/dev/null
  buildah push --quiet "$BASE_DEB" "docker://$BASE_DEB"
  log "pushed $BASE_DEB"
}

# --- 6. SDK container publish ------------------------------------------------------
container_publish() { # dir csproj repo base aot(true|false)
  local dir=$1 csproj=$2 repo=$3 base=$4 aot=$5 extra=()
  if [ "$aot" = false ]; then
    extra=(-p:PublishAot=false --self-contained true -p:InvariantGlobalization=true)
  else
    read -r -a extra <<< "$(aot_props "$csproj")"
  fi
  dotnet publish "$csproj" "${publish_props[@]}" "${extra[@]}" -t:PublishContainer \
    "-p:ContainerBaseImage=$base" "-p:ContainerRegistry=$REG" "-p:ContainerRepository=$repo" \
    "-p:ContainerImageTag=$TAG" -p:ContainerUser=1654 \
    > "$STATE/images/logs/$dir.container.log" 2>&1 \
    || { tail -n 30 "$STATE/images/logs/$dir.container.log" >&2; return 1; }
}

# --- 7. sizes --------------------------------------------------------------------
image_size() { # repo tag -> "compressed_bytes layers"
  curl -fsS "http://$REG/v2/$1/manifests/$2" \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' \
    | python3 -c 'import json,sys; m=json.load(sys.stdin); ls=m.get("layers",[]); print(sum(l["size"] for l in ls), len(ls))'
}
human() { python3 -c 'import sys; n=float(sys.argv[1]); print(f"{n/1048576:.1f} MiB")' "$1"; }

smoke() { # repo: run it as the cluster would (read-only root, /tmp tmpfs, uid 1654)
  local image="$REG/$1:$TAG" port=18600 name="fathom-smoke-${1##*/}" ok=1 keys="$STATE/images/smoke-keys"
  podman rm -f "$name" >/dev/null 2>&1 || true
  # The settings an app validates at start (docs/conventions.md), with a throw-away
  # ES256 key and stores that are not there: /health/live must not need them.
  mkdir -p "$keys"
  [ -s "$keys/signing.pem" ] || openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$keys/signing.pem" 2>/dev/null
  [ -s "$keys/public.pem" ] || openssl pkey -in "$keys/signing.pem" -pubout -out "$keys/public.pem"
  # Host network (no CNI setup needed here); the app listens on a free local port.
  podman run -d --name "$name" --read-only --tmpfs /tmp --user 1654 --network host \
    -e ASPNETCORE_HTTP_PORTS=$port \
    -e Auth__Issuer=fathom -e Auth__Audience=fathom-api -e Embeddings__Provider=hashed \
    -e Auth__ValidationKeys__0__Id=smoke -e "Auth__ValidationKeys__0__PublicKeyPem=$(cat "$keys/public.pem")" \
    -e Auth__SigningKeys__0__Id=smoke -e "Auth__SigningKeys__0__PrivateKeyPem=$(cat "$keys/signing.pem")" \
    -e FunctionsHost__Key=smoke-key -e IngestStream=fathom:ingest \
    -e "PostgresConnection=Host=127.0.0.1;Port=1;Database=fathom;Username=fathom;Password=none;Timeout=2" \
    -e "VectorStoreConnection=Host=127.0.0.1;Port=1;Database=fathom;Username=fathom;Password=none;Timeout=2" \
    -e "RedisConnection=127.0.0.1:1,abortConnect=false,connectTimeout=500" \
    "$image" >/dev/null || return 1
  for _ in $(seq 1 25); do
    if curl -fsS --max-time 2 "http://127.0.0.1:$port/health/live" >/dev/null 2>&1; then ok=0; break; fi
    sleep 0.2
  done
  [ "$ok" = 0 ] || podman logs "$name" 2>&1 | tail -n 20 | cut -c1-400 >&2
  podman rm -f "$name" >/dev/null 2>&1 || true
  return $ok
}

main() {
  ensure_packages
  configure_containers
  mkdir -p "$STATE/images/logs" "$STATE/images/publish"
  start_registry

  mapfile -t ENTRIES < <(discover_apps)
  [ ${#ENTRIES[@]} -gt 0 ] || die "no app to build (functions/*/*.csproj${APPS:+ matching ${APPS[*]}})"
  log "apps: $(printf '%s ' "${ENTRIES[@]%%|*}")"

  : > "$LIBS_FILE"
  declare -A MODE=()
  local e dir csproj repo out
  for e in "${ENTRIES[@]}"; do
    IFS='|' read -r dir csproj repo <<< "$e"
    log "$dir: Native AOT publish"
    if out=$(aot_publish "$dir" "$csproj"); then
      collect_libs "$out"; MODE[$dir]=aot
    elif [ "$FALLBACK" = 1 ]; then
      log "$dir: AOT publish failed; falling back to self-contained on the Debian minbase"; MODE[$dir]=debian
    else
      log "$dir: AOT publish failed (log: .fathom/images/logs/$dir.aot.log); rerun with --fallback to use the Debian base"
      MODE[$dir]=failed
    fi
  done

  if grep -q . "$LIBS_FILE"; then build_base_aot; fi
  for e in "${ENTRIES[@]}"; do
    IFS='|' read -r dir _ _ <<< "$e"
    [ "${MODE[$dir]}" = debian ] && { build_base_debian; break; }
  done

  local failed=0 rows=() size layers mode smoke_result
  for e in "${ENTRIES[@]}"; do
    IFS='|' read -r dir csproj repo <<< "$e"
    mode=${MODE[$dir]}
    if [ "$mode" = aot ]; then
      log "$dir: PublishContainer onto $BASE_AOT"
      container_publish "$dir" "$csproj" "$repo" "$BASE_AOT" true || mode=failed
    elif [ "$mode" = debian ]; then
      log "$dir: PublishContainer (self-contained) onto $BASE_DEB"
      container_publish "$dir" "$csproj" "$repo" "$BASE_DEB" false || mode=failed
    fi
    if [ "$mode" = failed ]; then
      failed=1; rows+=("$repo|$TAG|failed|-|-|-"); continue
    fi
    read -r size layers < <(image_size "$repo" "$TAG") || { size=0; layers=0; }
    smoke_result=-
    if [ "$SMOKE" = 1 ] && [ "$repo" != fathom/cli ]; then # the CLI is not a server
      if smoke "$repo"; then smoke_result="live OK"; else smoke_result="FAILED"; failed=1; fi
    fi
    rows+=("$repo|$TAG|$mode|$(human "$size")|$layers|$smoke_result")
  done
  if read -r size layers < <(image_size fathom/base-aot latest 2>/dev/null); then
    rows+=("fathom/base-aot|latest|base|$(human "$size")|$layers|-")
  fi

  printf '\n%-22s %-14s %-7s %12s %7s %s\n' IMAGE TAG KIND "COMPRESSED" LAYERS SMOKE
  for r in "${rows[@]}"; do
    IFS='|' read -r repo tag mode size layers smoke_result <<< "$r"
    printf '%-22s %-14s %-7s %12s %7s %s\n' "$repo" "$tag" "$mode" "$size" "$layers" "$smoke_result"
  done
  printf '\nregistry: http://%s (pull with --tls-verify=false, or CONTAINERS_REGISTRIES_CONF=%s)\n' "$REG" "$CONTAINERS_REGISTRIES_CONF"
  return $failed
}

main
