#!/usr/bin/env bash
# Migrate, load the demo school if the database is empty, and serve on HOST:PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${1:-127.0.0.1}
PORT=${2:-8000}
BIN=.venv/bin

"$BIN/flask" --app wsgi db upgrade
"$BIN/flask" --app wsgi demo --if-empty
echo
echo "Lesson Loop is running at http://$HOST:$PORT  (stop with Ctrl+C)"
echo
exec "$BIN/gunicorn" --bind "$HOST:$PORT" --workers 2 --threads 4 --access-logfile - wsgi:app
