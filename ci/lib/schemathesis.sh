# Schemathesis, pinned, in a virtual environment under target/ that later runs reuse. Sourced, not
# run; sets $st to its command.
schemathesis_version="4.32.5"
schemathesis_venv="target/schemathesis-venv"
st="$schemathesis_venv/bin/st"

install_schemathesis() {
  if [ ! -x "$schemathesis_venv/bin/python" ]; then
    python3 -m venv "$schemathesis_venv"
  fi
  local installed
  installed="$("$schemathesis_venv/bin/python" -m pip show schemathesis 2>/dev/null |
    sed -n 's/^Version: //p' || true)"
  if [ "$installed" != "$schemathesis_version" ]; then
    timeout 300s "$schemathesis_venv/bin/python" -m pip install -q --disable-pip-version-check \
      "schemathesis==$schemathesis_version"
  fi
}

# Gives the run something to find at base URL $1, as admin token $2: the document's sign-up example
# (whose login example then succeeds) and users up to past the example id 42, the last of them the
# stand-in that ci/schemathesis-hooks.py sends writes to the admin's own account to instead.
seed_schemathesis_target() {
  local base=$1 token=$2 n=0 id=0
  curl -fsS -o /dev/null --max-time 10 "$base/users" -H 'content-type: application/json' \
    -d '{"username":"alice_1","email":"Alice@Example.com","password":"Passw0rd1","full_name":"Alice Liddell","age":30}'
  while [ "$id" -le 42 ]; do
    n=$((n + 1))
    id=$(curl -fsS --max-time 10 "$base/users" -H 'content-type: application/json' \
      -d "{\"username\":\"seed_$n\",\"email\":\"seed_$n@example.com\",\"password\":\"Passw0rd1\"}" |
      python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
  done
  SCHEMATHESIS_STAND_IN_ID=$id
  SCHEMATHESIS_ADMIN_ID=$(curl -fsS --max-time 10 "$base/users/me" -H "Authorization: Bearer $token" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
  export SCHEMATHESIS_STAND_IN_ID SCHEMATHESIS_ADMIN_ID
}

# Runs Schemathesis with every check and every phase against the API at base URL $1 with the
# bearer token $2, writing its JUnit and JSON reports to $3. schemathesis.toml (at the top of the
# workspace) holds the settings made for one operation, and ci/schemathesis-hooks.py what the
# document cannot express, each with its reason.
#   SCHEMATHESIS_EXAMPLES (25): test cases per operation and phase
#   SCHEMATHESIS_SEED (20261204): the seed of the generated cases
run_schemathesis() {
  local base=$1 token=$2 reports=$3
  rm -rf "$reports"
  mkdir -p "$reports"
  timeout --kill-after=10s 600s "$st" run "$base/openapi.json" --url "$base" \
    -H "Authorization: Bearer $token" \
    --checks all --phases examples,coverage,fuzzing,stateful \
    --max-examples "${SCHEMATHESIS_EXAMPLES:-25}" --seed "${SCHEMATHESIS_SEED:-20261204}" \
    --generation-database none --workers 1 --no-color \
    --report junit,json --report-dir "$reports" \
    --report-junit-path "$reports/junit.xml" --report-json-path "$reports/report.json"
}
