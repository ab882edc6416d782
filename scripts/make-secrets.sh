#!/usr/bin/env bash
# Builds Fathom's Kubernetes Secrets from local files, never from the repo.
#
#   scripts/make-secrets.sh <staging|production> [--apply]
#
# Reads (and, where missing, generates) files in .fathom/secrets/<env>/
# (git-ignored):
#   postgres-password  vectorstore-password  redis-password  host-key
#   jwt-key-id  jwt-signing.pem (ES256 / P-256 private key, PKCS#8)
#   jwt-public.pem (its public key)
#   tls.crt tls.key (optional: Secret fathom-tls is skipped without them;
#                    cert-manager can own it instead)
# and writes .fathom/secrets/<env>/secrets.yaml with
#   kubectl create secret ... --dry-run=client -o yaml
# (client side only, no cluster needed). --apply also applies it to the current
# kubectl context. Key names are the setting names of docs/conventions.md; see
# k8s/base/secrets.example.md.
set -euo pipefail

usage() { echo "usage: $0 <staging|production> [--apply]" >&2; exit 2; }
[ $# -ge 1 ] || usage
ENVIRONMENT=$1; shift
case "$ENVIRONMENT" in staging|production) ;; *) usage ;; esac
APPLY=0
for a in "$@"; do case "$a" in --apply) APPLY=1 ;; *) usage ;; esac; done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR="$ROOT/.fathom/secrets/$ENVIRONMENT"
NS=fathom
mkdir -p "$DIR"
chmod 700 "$DIR"
umask 077

command -v kubectl >/dev/null || { echo "error: kubectl is not installed" >&2; exit 1; }
command -v openssl >/dev/null || { echo "error: openssl is not installed" >&2; exit 1; }

gen_password() { [ -s "$DIR/$1" ] || openssl rand -hex 24 | tr -d '\n' > "$DIR/$1"; }
gen_password postgres-password
gen_password vectorstore-password
gen_password redis-password
gen_password host-key
[ -s "$DIR/jwt-key-id" ] || printf 'fathom-%s' "$(date -u +%Y%m%d)" > "$DIR/jwt-key-id"
if [ ! -s "$DIR/jwt-signing.pem" ]; then
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$DIR/jwt-signing.pem" 2>/dev/null
fi
[ -s "$DIR/jwt-public.pem" ] || openssl pkey -in "$DIR/jwt-signing.pem" -pubout -out "$DIR/jwt-public.pem"

PG_PW=$(cat "$DIR/postgres-password")
VS_PW=$(cat "$DIR/vectorstore-password")
REDIS_PW=$(cat "$DIR/redis-password")
KEY_ID=$(cat "$DIR/jwt-key-id")

secret() { kubectl create secret generic "$1" --namespace "$NS" --dry-run=client -o yaml "${@:2}"; }

OUT="$DIR/secrets.yaml"
{
  secret fathom-postgres --from-file=POSTGRES_PASSWORD="$DIR/postgres-password"
  echo "---"
  secret fathom-vectorstore --from-file=POSTGRES_PASSWORD="$DIR/vectorstore-password"
  echo "---"
  secret fathom-db \
    --from-literal=PostgresConnection="Host=postgres.$NS.svc.cluster.local;Port=5432;Database=fathom;Username=fathom;Password=$PG_PW" \
    --from-literal=VectorStoreConnection="Host=vectorstore.$NS.svc.cluster.local;Port=5432;Database=fathom;Username=fathom;Password=$VS_PW"
  echo "---"
  secret fathom-redis \
    --from-literal=RedisConnection="redis.$NS.svc.cluster.local:6379,password=$REDIS_PW,abortConnect=false" \
    --from-file=REDIS_PASSWORD="$DIR/redis-password"
  echo "---"
  secret fathom-jwt-signing \
    --from-literal=Auth__SigningKeys__0__Id="$KEY_ID" \
    --from-file=Auth__SigningKeys__0__PrivateKeyPem="$DIR/jwt-signing.pem"
  echo "---"
  secret fathom-jwt-public \
    --from-literal=Auth__ValidationKeys__0__Id="$KEY_ID" \
    --from-file=Auth__ValidationKeys__0__PublicKeyPem="$DIR/jwt-public.pem"
  echo "---"
  secret fathom-host-key --from-file=FunctionsHost__Key="$DIR/host-key"
  if [ -s "$DIR/tls.crt" ] && [ -s "$DIR/tls.key" ]; then
    echo "---"
    kubectl create secret tls fathom-tls --namespace "$NS" --cert="$DIR/tls.crt" --key="$DIR/tls.key" --dry-run=client -o yaml
  fi
} > "$OUT"

echo "wrote $OUT ($(grep -c '^kind: Secret' "$OUT") Secrets; keep it out of git)"
if [ ! -s "$DIR/tls.crt" ]; then
  echo "note: no $DIR/tls.crt + tls.key: Secret fathom-tls not built (use cert-manager or add them)"
fi
if [ "$APPLY" = 1 ]; then
  # The Secrets live in namespace fathom: create it (with its labels) first.
  kubectl apply -f "$ROOT/k8s/base/namespace.yaml"
  kubectl apply -f "$OUT"
fi
