#!/bin/sh
# One-shot (docker compose service temporal-init): waits for the Temporal server and its
# namespace, then registers the project's search attributes (see src/shared/ids.ts).
# Safe to run again: attributes that exist are left alone.
set -eu

ADDRESS=${TEMPORAL_ADDRESS:-temporal:7233}
NAMESPACE=${TEMPORAL_NAMESPACE:-default}
ATTRIBUTES="VitrineCode=Keyword ImportedOrders=Int UpdatedOrders=Int BlockedOrders=Int ImportTrigger=Keyword"

echo "waiting for Temporal at $ADDRESS"
i=0
until temporal operator cluster health --address "$ADDRESS" 2>/dev/null | grep -q SERVING; do
  i=$((i + 1))
  [ "$i" -le 120 ] || { echo "Temporal did not answer in 4 minutes" >&2; exit 1; }
  sleep 2
done

# auto-setup creates the default namespace in the background after the server starts.
echo "waiting for namespace $NAMESPACE"
i=0
until temporal operator namespace describe --address "$ADDRESS" --namespace "$NAMESPACE" >/dev/null 2>&1; do
  i=$((i + 1))
  [ "$i" -le 60 ] || { echo "namespace $NAMESPACE does not exist" >&2; exit 1; }
  sleep 2
done

for attr in $ATTRIBUTES; do
  name=${attr%%=*}
  type=${attr#*=}
  if temporal operator search-attribute list --address "$ADDRESS" --namespace "$NAMESPACE" |
    grep -qE "^[[:space:]]*${name}[[:space:]]"; then
    echo "search attribute $name exists"
  else
    temporal operator search-attribute create --address "$ADDRESS" --namespace "$NAMESPACE" \
      --name "$name" --type "$type"
    echo "search attribute $name ($type) created"
  fi
done
