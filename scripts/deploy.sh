#!/usr/bin/env bash
# Deploys Fathom to the current kubectl context.
#
#   scripts/deploy.sh <staging|production> [image-tag] [--yes] [--render-only]
#   scripts/deploy.sh <staging|production> <image-tag> --gitops [--dry-run] [--push]
#
#   image-tag      overrides the overlay's images newTag for every fathom/* image
#   --yes          production without the interactive confirmation (CI)
#   --render-only  render the manifests to .fathom/deploy/<env>/ and stop (no cluster needed)
#   --gitops       no kubectl: write the tag into the overlay's images (newTag), commit that one file and, with
#                  --push, push it; Argo CD (k8s/argocd/apps/<env>.yaml follows main) rolls it out. --dry-run shows
#                  the change and the commit message and leaves the tree as it was.
#
# Steps: check kubectl + a reachable cluster (and the KEDA / HTTP add-on CRDs);
# production: confirm, then back up Postgres (pg_dump via kubectl exec) to
# .fathom/backups/; apply the overlay with `kubectl apply -k` (everything but
# ScaledObjects first, so each InterceptorRoute exists before the ScaledObject
# that names it); run the migration Job fathom-migrate; wait for the rollouts;
# check GET /health/ready through port-forwards; on any failure after the apply,
# `kubectl rollout undo` every Deployment. See k8s/README.md.
set -euo pipefail

NS=fathom
ROOT=$(cd "$(dirname "$0")/.." && pwd)
REQUEST_TIMEOUT=${FATHOM_KUBECTL_TIMEOUT:-10s}

usage() {
  echo "usage: $0 <staging|production> [image-tag] [--yes] [--render-only]" >&2
  exit 2
}
log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

ENVIRONMENT="" TAG="" YES=0 RENDER_ONLY=0 GITOPS=0 DRY_RUN=0 PUSH=0
for a in "$@"; do
  case "$a" in
    --yes|-y) YES=1 ;;
    --render-only) RENDER_ONLY=1 ;;
    --gitops) GITOPS=1 ;;
    --dry-run) DRY_RUN=1 ;;
    --push) PUSH=1 ;;
    -h|--help) usage ;;
    -*) usage ;;
    *) if [ -z "$ENVIRONMENT" ]; then ENVIRONMENT=$a
       elif [ -z "$TAG" ]; then TAG=$a
       else usage; fi ;;
  esac
done
case "$ENVIRONMENT" in staging|production) ;; *) usage ;; esac
if [ -n "$TAG" ] && ! [[ "$TAG" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]]; then
  die "invalid image tag '$TAG'"
fi

OVERLAY="$ROOT/k8s/overlays/$ENVIRONMENT"
WORK="$ROOT/.fathom/deploy/$ENVIRONMENT"
[ -f "$OVERLAY/kustomization.yaml" ] || die "missing $OVERLAY/kustomization.yaml"
{ [ "$DRY_RUN" = 1 ] || [ "$PUSH" = 1 ]; } && [ "$GITOPS" = 0 ] && die "--dry-run and --push go with --gitops"

# --- GitOps: the overlay in git is what runs; Argo CD applies it --------------
if [ "$GITOPS" = 1 ]; then
  [ -n "$TAG" ] || die "--gitops needs an image tag"
  FILE="k8s/overlays/$ENVIRONMENT/kustomization.yaml"
  git -C "$ROOT" diff --quiet HEAD -- "$FILE" || die "$FILE has uncommitted changes; commit or discard them first"
  # Every fathom/* image's newTag line, and only those: the line after '- name: fathom/<app>'.
  NEW=$(awk -v tag="$TAG" '
    /^  - name: fathom\// { print; image = 1; next }
    image && /^    newTag:/ { printf "    newTag: \"%s\"\n", tag; image = 0; changed++; next }
    { image = 0; print }
    END { if (!changed) exit 3 }' "$ROOT/$FILE") || die "$FILE names no fathom/* image with a newTag"
  if [ "$NEW" = "$(cat "$ROOT/$FILE")" ]; then
    log "$ENVIRONMENT already runs $TAG; nothing to commit"
    exit 0
  fi
  MESSAGE="deploy: $ENVIRONMENT to $TAG"
  if [ "$DRY_RUN" = 1 ]; then
    log "dry run: would commit \"$MESSAGE\" changing $FILE:"
    diff -u "$ROOT/$FILE" <(printf '%s\n' "$NEW") --label "a/$FILE" --label "b/$FILE" >&2 || true
    exit 0
  fi
  printf '%s\n' "$NEW" > "$ROOT/$FILE"
  kubectl_kustomize() { command -v kubectl >/dev/null 2>&1 && kubectl kustomize "$OVERLAY" >/dev/null; }
  if command -v kubectl >/dev/null 2>&1 && ! kubectl_kustomize; then
    git -C "$ROOT" checkout -- "$FILE"
    die "the overlay no longer renders with tag $TAG; nothing was committed"
  fi
  git -C "$ROOT" commit -q -m "$MESSAGE" -- "$FILE" || die "git commit failed"
  log "committed $(git -C "$ROOT" rev-parse --short HEAD): $MESSAGE"
  if [ "$PUSH" = 1 ]; then
    git -C "$ROOT" push -q || die "git push failed; the commit stays local (git reset --hard HEAD~1 to drop it)"
    log "pushed; Argo CD's fathom-$ENVIRONMENT application syncs it (argocd app wait fathom-$ENVIRONMENT to follow)"
  else
    log "not pushed (add --push, or git push): Argo CD deploys what the remote's main holds"
  fi
  exit 0
fi

# --- tools and cluster -------------------------------------------------------
command -v kubectl >/dev/null 2>&1 || die "kubectl is not installed (https://kubernetes.io/docs/tasks/tools/); nothing was changed"

# A throw-away kustomization on top of the overlay: the image-tag override lives
# here (git-ignored), never in the committed overlay.
mkdir -p "$WORK"
{
  echo "apiVersion: kustomize.config.k8s.io/v1beta1"
  echo "kind: Kustomization"
  echo "resources:"
  echo "  - ../../../k8s/overlays/$ENVIRONMENT"
  if [ -n "$TAG" ]; then
    echo "images:"
    for img in auth users knowledge assistants ingestion posts tasks maintenance web cli; do
      printf '  - name: fathom/%s\n    newTag: "%s"\n' "$img" "$TAG"
    done
  fi
} > "$WORK/kustomization.yaml"
kubectl kustomize "$WORK" > "$WORK/rendered.yaml" || die "kustomize could not render $OVERLAY"
log "rendered $(grep -c '^kind:' "$WORK/rendered.yaml") objects to $WORK/rendered.yaml"
if [ "$RENDER_ONLY" = 1 ]; then
  grep -E '^kind:' "$WORK/rendered.yaml" | sort | uniq -c >&2
  grep -E '^ +image: ' "$WORK/rendered.yaml" | sort -u >&2
  exit 0
fi

if ! CLUSTER_INFO=$(timeout 30 kubectl cluster-info --request-timeout="$REQUEST_TIMEOUT" 2>&1); then
  printf 'error: no reachable Kubernetes cluster for kubectl context "%s".\n' \
    "$(kubectl config current-context 2>/dev/null || echo '<none>')" >&2
  printf '       kubectl cluster-info said: %s\n' "$(printf '%s' "$CLUSTER_INFO" | tail -n 1)" >&2
  printf '       Point KUBECONFIG / `kubectl config use-context` at the %s cluster and retry; nothing was changed.\n' "$ENVIRONMENT" >&2
  exit 1
fi
CONTEXT=$(kubectl config current-context 2>/dev/null || echo '<in-cluster>')
log "cluster reachable (context $CONTEXT)"

k() { kubectl --namespace "$NS" --request-timeout="$REQUEST_TIMEOUT" "$@"; }

for crd in scaledobjects.keda.sh triggerauthentications.keda.sh interceptorroutes.http.keda.sh; do
  kubectl get crd "$crd" --request-timeout="$REQUEST_TIMEOUT" >/dev/null 2>&1 \
    || die "CRD $crd is missing: install KEDA and the KEDA HTTP add-on (>= 0.14) first (k8s/README.md)"
done
SKIP_KINDS="ScaledObject"
HAVE_MONITORING=1
if ! kubectl get crd servicemonitors.monitoring.coreos.com --request-timeout="$REQUEST_TIMEOUT" >/dev/null 2>&1; then
  HAVE_MONITORING=0
  log "warning: no Prometheus Operator (ServiceMonitor CRD); the ServiceMonitor is skipped"
fi
for s in fathom-db fathom-redis fathom-jwt-public fathom-jwt-signing fathom-host-key fathom-postgres fathom-vectorstore; do
  if ! k get secret "$s" >/dev/null 2>&1; then
    die "Secret $NS/$s is missing: create the Secrets first (scripts/make-secrets.sh $ENVIRONMENT --apply, see k8s/base/secrets.example.md)"
  fi
done

# --- production: confirm and back up -------------------------------------------
if [ "$ENVIRONMENT" = production ]; then
  if [ "$YES" != 1 ]; then
    [ -t 0 ] || die "refusing to deploy production without a terminal to confirm on; pass --yes to confirm non-interactively"
    printf 'Deploy Fathom to PRODUCTION (context %s, tag %s)? Type "production" to go on: ' "$CONTEXT" "${TAG:-from overlay}" >&2
    read -r answer
    [ "$answer" = production ] || die "not confirmed; nothing was changed"
  fi
  if k get statefulset postgres >/dev/null 2>&1; then
    mkdir -p "$ROOT/.fathom/backups"
    BACKUP="$ROOT/.fathom/backups/$ENVIRONMENT-$(date -u +%Y%m%dT%H%M%SZ).dump"
    log "backing up Postgres to $BACKUP"
    if ! kubectl --namespace "$NS" exec statefulset/postgres -c postgres -- \
        pg_dump -U fathom -d fathom --format=custom --no-owner > "$BACKUP"; then
      rm -f "$BACKUP"; die "pg_dump failed; nothing was changed"
    fi
    [ -s "$BACKUP" ] || die "backup $BACKUP is empty; nothing was changed"
    log "backup done ($(du -h "$BACKUP" | cut -f1)); restore: kubectl -n $NS exec -i statefulset/postgres -- pg_restore -U fathom -d fathom --clean < $BACKUP"
  else
    log "no postgres StatefulSet yet (first deploy): no backup to take"
  fi
fi

# --- apply, migrate, verify; roll back on failure ------------------------------
DEPLOYMENTS=""
APPLIED=0
rollback() {
  local rc=$?
  trap - ERR EXIT
  if [ "$APPLIED" = 1 ] && [ "$rc" != 0 ]; then
    log "deploy FAILED: rolling back every Deployment"
    for d in $DEPLOYMENTS; do
      if kubectl --namespace "$NS" rollout undo "deployment/$d" >/dev/null 2>&1; then
        log "  rolled back $d"
      else
        log "  $d: nothing to roll back to (first revision)"
      fi
    done
    [ -n "${BACKUP:-}" ] && log "database backup taken before this deploy: $BACKUP"
    log "schema migrations are not undone automatically (restore from the backup if needed)"
  fi
  exit "$rc"
}
trap rollback EXIT

filter_out() { # $1: space-separated kinds to drop from a multi-document YAML on stdin
  awk -v drop=" $1 " '
    function flush() { if (doc != "" && index(drop, " " kind " ") == 0) printf "---\n%s", doc; doc=""; kind="" }
    /^---[ \t]*$/ { flush(); next }
    /^kind:[ \t]/ { kind=$2 }
    { doc = doc $0 "\n" }
    END { flush() }'
}

DEPLOYMENTS=$(awk '/^kind: Deployment$/{d=1;next} d && /^  name: /{print $2; d=0} /^---/{d=0}' "$WORK/rendered.yaml" | sort -u | tr '\n' ' ')
[ -n "$DEPLOYMENTS" ] || die "no Deployment in the rendered overlay"

log "removing the previous migration Job (its pod template is immutable)"
k delete job fathom-migrate --ignore-not-found --wait=true >/dev/null

[ "$HAVE_MONITORING" = 1 ] || SKIP_KINDS="$SKIP_KINDS ServiceMonitor"
APPLIED=1
log "applying $ENVIRONMENT (pass 1: all but $SKIP_KINDS)"
filter_out "$SKIP_KINDS" < "$WORK/rendered.yaml" | kubectl apply --request-timeout=60s -f - >&2
log "applying $ENVIRONMENT (pass 2: kubectl apply -k)"
if [ "$HAVE_MONITORING" = 1 ]; then
  kubectl apply --request-timeout=60s -k "$WORK" >&2
else
  filter_out "ServiceMonitor" < "$WORK/rendered.yaml" | kubectl apply --request-timeout=60s -f - >&2
fi

log "waiting for the stateful sets"
for s in postgres redis vectorstore; do
  k rollout status "statefulset/$s" --timeout=300s >&2
done

log "running migrations (job/fathom-migrate)"
deadline=$((SECONDS + 600))
while :; do
  status=$(k get job fathom-migrate -o jsonpath='{.status.succeeded}/{.status.failed}' 2>/dev/null || echo "/")
  case "$status" in
    1/*) log "migrations done"; break ;;
  esac
  if k get job fathom-migrate -o jsonpath='{range .status.conditions[*]}{.type}={.status}{"\n"}{end}' 2>/dev/null | grep -q '^Failed=True'; then
    k logs job/fathom-migrate --tail=50 >&2 || true
    die "migration job failed"
  fi
  [ "$SECONDS" -lt "$deadline" ] || die "migration job did not finish within 600 s"
  sleep 5
done

log "waiting for the Deployments to roll out"
for d in $DEPLOYMENTS; do
  k rollout status "deployment/$d" --timeout=300s >&2
done

# Health: every Deployment that has pods answers /health/ready (checks Postgres,
# Redis, vector store); then Web end-to-end through the KEDA interceptor, which
# also proves scale-from-zero works.
PF_PID=""
stop_pf() { if [ -n "$PF_PID" ]; then kill "$PF_PID" 2>/dev/null || true; wait "$PF_PID" 2>/dev/null || true; PF_PID=""; fi; }
check_ready() { # $1 target (deploy/x or svc/x), $2 local port, $3 remote port, $4 namespace, $5 Host header (optional)
  local target=$1 port=$2 remote=$3 ns=$4 host=${5:-} ok=1 i
  kubectl --namespace "$ns" port-forward "$target" "$port:$remote" >/dev/null 2>&1 &
  PF_PID=$!
  for i in $(seq 1 30); do
    if curl -fsS --max-time 70 ${host:+-H "Host: $host"} "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then ok=0; break; fi
    sleep 2
  done
  stop_pf
  return $ok
}
command -v curl >/dev/null 2>&1 || die "curl is needed for the health checks"
port=18480
for d in $DEPLOYMENTS; do
  replicas=$(k get deployment "$d" -o jsonpath='{.status.readyReplicas}' 2>/dev/null || true)
  if [ "${replicas:-0}" -ge 1 ]; then
    port=$((port + 1))
    check_ready "deployment/$d" "$port" 8080 "$NS" || die "$d: GET /health/ready did not answer 200"
    log "  $d: /health/ready OK"
  else
    log "  $d: scaled to zero, checked through the interceptor below if it is HTTP"
  fi
done
HOST=$(k get ingress fathom -o jsonpath='{.spec.rules[0].host}')
port=$((port + 1))
check_ready svc/keda-add-ons-http-interceptor-proxy "$port" 8080 keda "$HOST" \
  || die "web: GET http://$HOST/health/ready through the interceptor did not answer 200"
log "  web via interceptor ($HOST): /health/ready OK"

APPLIED=0
trap - EXIT
log "deployed $ENVIRONMENT${TAG:+ (tag $TAG)} to context $CONTEXT"
