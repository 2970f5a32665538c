#!/usr/bin/env bash
# scripts/supervise.sh NAME CMD... : runs CMD and starts it again whenever it exits, as a
# deployment's supervisor (docker compose's restart policy, systemd) does: after 1 s, then twice
# as long each time it dies within a minute of starting, at most 30 s apart. TERM or INT stop it
# and CMD. npm run stack:up runs the worker under it, so a worker that dies is back in seconds;
# each start writes a worker_starts row, which vitrine status and the metrics count as restarts.
set -uo pipefail
name=$1
shift
child=
stopping=0
stop() {
  stopping=1
  [[ -n $child ]] && kill -TERM "$child" 2>/dev/null
}
trap stop TERM INT
delay=1
while :; do
  started=$SECONDS
  "$@" &
  child=$!
  wait "$child"
  code=$?
  # A signal interrupted wait: wait for the child itself to end.
  while kill -0 "$child" 2>/dev/null; do wait "$child"; code=$?; done
  child=
  ((stopping)) && exit 0
  if ((SECONDS - started >= 60)); then delay=1; fi
  printf '%s supervise: %s exited (code %s); starting it again in %s s\n' "$(date '+%F %T')" "$name" "$code" "$delay"
  sleep "$delay" &
  wait $! || true
  ((stopping)) && exit 0
  delay=$((delay * 2 > 30 ? 30 : delay * 2))
done
