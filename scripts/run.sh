#!/usr/bin/env bash
# Migrate, load the demo school if the database is empty, start the reminders worker beside
# the server, and serve on HOST:PORT. Stopping the script (Ctrl+C, or SIGTERM) stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${1:-127.0.0.1}
PORT=${2:-8000}
BIN=.venv/bin

"$BIN/flask" --app wsgi db upgrade
"$BIN/flask" --app wsgi demo --if-empty

WORKER_PID=""
SERVER_PID=""
stop_all() {
  for pid in $SERVER_PID $WORKER_PID; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in $SERVER_PID $WORKER_PID; do
    wait "$pid" 2>/dev/null || true
  done
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$BIN/flask" --app wsgi worker &
WORKER_PID=$!
echo
echo "Lesson Loop is running at http://$HOST:$PORT  (stop with Ctrl+C)"
echo "Reminders are on: the Web Push worker runs beside the server (pid $WORKER_PID)."
echo
"$BIN/gunicorn" --bind "$HOST:$PORT" --workers 2 --threads 4 --access-logfile - wsgi:app &
SERVER_PID=$!
wait "$SERVER_PID"
