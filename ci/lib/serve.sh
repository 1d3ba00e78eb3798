# Shell functions shared by the ci/ scripts that start reference servers and other helpers.
# Sourced, not run. The caller sets $work (a scratch directory it removes) and a cleanup trap that
# ends every pid in the array `pids`.

random() { head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# Starts `$@` in the background with its stdout on a fifo and reads the first line it prints (the
# address it bound) into $first_line, within 30 s. The fifo stays open until the script ends.
start() {
  local name=$1; shift
  mkfifo "$work/$name.out"
  "$@" >"$work/$name.out" 2>"$work/$name.log" &
  pids+=($!)
  exec {fd}<"$work/$name.out"
  if ! IFS= read -r -t 30 -u "$fd" first_line; then
    echo "$(basename "$0"): $name printed no address within 30 s" >&2
    cat "$work/$name.log" >&2
    exit 1
  fi
}

# Starts reference server binary $1 as $2 with the flags after them on port 0 and a fresh data dir;
# sets $server (http://HOST:PORT) once it answers /health.
reference_server() {
  local binary=$1 name=$2; shift 2
  start "$name" "$binary" --listen 127.0.0.1:0 --data-dir "$work/data-$name" "$@"
  server=${first_line#listening on }
  curl -fsS --max-time 2 --retry 10 --retry-connrefused --retry-max-time 20 \
    "$server/health" >/dev/null
}

# Prints the access token of a login of $2 with password $3 at base URL $1.
login_token() {
  local body
  body=$(printf '{"username":"%s","password":"%s"}' "$2" "$3")
  curl -fsS --max-time 10 "$1/auth/login" -H 'content-type: application/json' -d "$body" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}
