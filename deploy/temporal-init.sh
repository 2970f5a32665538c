#!/bin/sh
# One-shot (docker compose service temporal-init, image temporalio/admin-tools): waits until the
# Temporal frontend serves, creates the namespace TEMPORAL_NAMESPACE when it is missing, then
# registers the project's search attributes (see src/shared/ids.ts) until every one is listed (a
# namespace just created refuses them for a moment). Safe to run again.
set -eu

ADDRESS=${TEMPORAL_ADDRESS:-temporal:7233}
NAMESPACE=${TEMPORAL_NAMESPACE:-default}
RETENTION=${TEMPORAL_NAMESPACE_RETENTION:-72h}
ATTRIBUTES="VitrineCode=Keyword ImportedOrders=Int UpdatedOrders=Int BlockedOrders=Int ImportTrigger=Keyword"

echo "waiting for Temporal at $ADDRESS"
i=0
until temporal operator cluster health --address "$ADDRESS" 2>/dev/null | grep -q SERVING; do
  i=$((i + 1))
  [ "$i" -le 120 ] || { echo "Temporal did not serve within 4 minutes" >&2; exit 1; }
  sleep 2
done

if temporal operator namespace describe --address "$ADDRESS" --namespace "$NAMESPACE" >/dev/null 2>&1; then
  echo "namespace $NAMESPACE exists"
else
  temporal operator namespace create --address "$ADDRESS" --namespace "$NAMESPACE" --retention "$RETENTION"
  echo "namespace $NAMESPACE created (retention $RETENTION)"
fi

i=0
while :; do
  missing=0
  list=$(temporal operator search-attribute list --address "$ADDRESS" --namespace "$NAMESPACE" 2>/dev/null || true)
  for attr in $ATTRIBUTES; do
    name=${attr%%=*}
    type=${attr#*=}
    if ! printf '%s\n' "$list" | grep -qE "^[[:space:]]*${name}[[:space:]]"; then
      missing=1
      temporal operator search-attribute create --address "$ADDRESS" --namespace "$NAMESPACE" \
        --name "$name" --type "$type" >/dev/null 2>&1 && echo "search attribute $name ($type) created" || true
    fi
  done
  [ "$missing" -eq 0 ] && break
  i=$((i + 1))
  [ "$i" -le 30 ] || { echo "the search attributes could not be registered on $NAMESPACE" >&2; exit 1; }
  sleep 2
done
echo "search attributes of $NAMESPACE: $ATTRIBUTES"
