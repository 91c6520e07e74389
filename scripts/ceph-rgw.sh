#!/usr/bin/env bash
# ceph-rgw.sh: a throw-away single-node Ceph RADOS Gateway (a real S3 server)
# for integration tests, from Debian 12's own packages (Ceph 16.2 "Pacific"),
# without Docker or systemd. One monitor, one in-memory OSD and one radosgw,
# all on 127.0.0.1, all state, logs and pid files in one directory.
#
#   scripts/ceph-rgw.sh install        apt-get install what is missing (idempotent, quiet)
#   scripts/ceph-rgw.sh start [DIR]    start a cluster in DIR (default: a new mktemp dir);
#                                      ends with machine-readable lines on stdout:
#                                        RGW_ENDPOINT=http://127.0.0.1:PORT
#                                        RGW_PORT=PORT  RGW_REGION=us-east-1
#                                        RGW_ACCESS_KEY=...  RGW_SECRET_KEY=...
#                                        RGW_DIR=DIR  RGW_PIDS="mon osd rgw"
#                                      (progress goes to stderr)
#   scripts/ceph-rgw.sh stop DIR       kill exactly the pids recorded in DIR, remove DIR
#
# Environment for `start`:
#   RGW_PORT        S3 port (default: first free port from 7480 up; a fixed one must be free)
#   MON_PORT        monitor port (default: first free port from 3300 up)
#   RGW_ACCESS_KEY  S3 access key of the test user (default CEPHTEST)
#   RGW_SECRET_KEY  S3 secret key of the test user (default CEPHTESTSECRET)
#   RGW_UID         user id of the test user (default cephtest)
#   CEPH_RGW_TIMEOUT  seconds to wait for each daemon (default 60)
#
# The ceph.conf settings below, and why each is there (measured on Debian 12,
# Ceph 16.2.15, 2 cores):
#   auth_{cluster,service,client}_required = none
#       no cephx: no keyrings to generate and hand to mon, osd, radosgw and
#       the admin tools.
#   [client] ms_mon_client_mode = crc secure
#       radosgw asks the monitors for "secure" mode, which needs cephx; with
#       auth none it must be allowed "crc", or it dies at once with
#       "failed to fetch mon config".
#   mon host = [v2:127.0.0.1:PORT], ms_bind_msgr1 = false, ms_bind_ipv6 = false
#       messenger v2 only, IPv4 loopback only: one address per daemon, as in
#       the monmap. (Not strictly needed: the daemons also come up with v1
#       bound; this halves the ports they take.)
#   osd_objectstore = memstore, memstore_device_bytes = 4 GiB
#       the OSD keeps objects in RAM: no block device, no disk mkfs, nothing
#       to clean up but DIR; what tests PUT costs OSD memory (RSS grows by
#       about the bytes stored). 4 GiB is only the capacity it reports.
#   osd_pool_default_size = 1, osd_pool_default_min_size = 1,
#   mon_allow_pool_size_one = true, osd_crush_chooseleaf_type = 0
#       one OSD holds the only copy of everything; Pacific refuses size-1
#       pools unless explicitly allowed; CRUSH picks OSDs, not hosts.
#   osd_pool_default_pg_num/pgp_num = 8, osd_pool_default_pg_autoscale_mode = off
#       radosgw creates its 6 pools itself; at the default 32 PGs each the OSD
#       uses ~10 MB more and a few more pools would hit mon_max_pg_per_osd
#       (250). There is no mgr to autoscale anyway.
#   paxos_propose_interval = 0.05
#       the monitor batches map changes for 1 s by default, and every step of
#       start-up (osd new, osd boot, each pool radosgw creates) waits for one:
#       this takes start-up from ~16 s to ~3 s.
#   rgw_frontends = beast endpoint=127.0.0.1:PORT, rgw_thread_pool_size = 64
#       the default HTTP frontend, on loopback only, with fewer threads than
#       the default 512.
#   rgw_torrent_flag = true
#       radosgw computes piece hashes while an object is PUT (single PUT only,
#       not multipart or copy) and answers GET ?torrent (GetObjectTorrent).
#   mon_data_avail_warn/crit, mon_warn_on_pool_no_redundancy
#       silence health checks that mean nothing for a test cluster.
#   run dir / log file / pid file / admin socket / mon_data / osd_data /
#   rgw_data under DIR
#       nothing goes to /var/lib/ceph, /var/run/ceph or /var/log/ceph, so
#       several clusters can run side by side and `stop` removes everything.
# No mgr: nothing here needs one. The daemons run as the invoking user (root
# in CI), not --setuser ceph, since DIR belongs to that user; no systemd.
set -euo pipefail

PACKAGES=(ceph-mon ceph-osd radosgw ceph-common)
BINARIES=(ceph-mon ceph-osd radosgw radosgw-admin ceph monmaptool)
MARKER=.ceph-rgw-test-cluster

log() { printf 'ceph-rgw: %s\n' "$*" >&2; }
T0_US=${EPOCHREALTIME/./}
# Seconds since the script started, e.g. 2.7s.
elapsed() {
  local ms=$(((${EPOCHREALTIME/./} - T0_US) / 1000))
  printf '%d.%ds' $((ms / 1000)) $((ms % 1000 / 100))
}
die() { log "error: $*"; exit 1; }

usage() {
  sed -n '2,/^# Environment/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}

# ---------------------------------------------------------------- install ---

apt_get() {
  # Waits for the dpkg lock (another apt job may be running) instead of failing.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 "$@"
}

apt_update() {
  # `apt-get update` takes the lists lock, which DPkg::Lock::Timeout does not
  # cover on every apt version: retry while another apt holds it.
  local out
  for _ in $(seq 1 120); do
    if out=$(apt_get update -qq 2>&1); then return 0; fi
    if grep -qi 'could not get lock\|unable to lock' <<<"$out"; then sleep 5; continue; fi
    printf '%s\n' "$out" >&2
    return 1
  done
  die "apt lists lock still held after 10 minutes"
}

missing_packages() {
  local p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || printf '%s\n' "$p"
  done
}

cmd_install() {
  local missing
  mapfile -t missing < <(missing_packages)
  if [ ${#missing[@]} -eq 0 ]; then
    log "ceph packages already installed"
    return 0
  fi
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  log "installing: ${missing[*]}"
  # Use the package lists there are; refresh them only if a package is
  # unknown or the install fails (e.g. a security update replaced a version).
  if apt-cache policy "${missing[@]}" 2>/dev/null | grep -q 'Candidate: (none)' \
     || ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
    apt_update
  fi
  local out
  out=$(mktemp)
  if ! apt_get install -y -qq --no-install-recommends "${missing[@]}" >"$out" 2>&1; then
    apt_update
    apt_get install -y -qq --no-install-recommends "${missing[@]}" >"$out" 2>&1 \
      || { tail -n 30 "$out" >&2; rm -f "$out"; die "apt-get install failed"; }
  fi
  rm -f "$out"
  local b
  for b in "${BINARIES[@]}"; do command -v "$b" >/dev/null || die "$b still missing after install"; done
  log "installed"
}

# ------------------------------------------------------------------ start ---

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local p=$1 last=$(($1 + 200))
  while [ "$p" -le "$last" ]; do
    port_in_use "$p" || { echo "$p"; return 0; }
    p=$((p + 1))
  done
  die "no free port in $1..$last"
}

# HTTP status of GET / on 127.0.0.1:$1, or empty (bash only, no curl needed).
http_status() {
  local line
  line=$(
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 0
    printf 'GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
    IFS= read -r -t 2 line <&3 && printf '%s' "$line"
  ) 2>/dev/null || true
  line=${line%$'\r'}
  if [[ $line =~ ^HTTP/[0-9.]+\ ([0-9]+) ]]; then echo "${BASH_REMATCH[1]}"; fi
}

# Waits (up to $TIMEOUT s) for the quiet check "$@" to succeed; $1 is a description.
wait_for() {
  local what=$1 deadline=$((SECONDS + TIMEOUT))
  shift
  local p
  until "$@"; do
    for p in "${PIDS[@]}"; do
      running "$p" || die "pid $p exited while waiting for $what (see $DIR/log/)"
    done
    [ $SECONDS -lt $deadline ] || die "timed out after ${TIMEOUT}s waiting for $what"
    sleep 0.1
  done
}

# Starts a daemon (ceph daemons fork into the background themselves) and
# records the pid from its pid file.
start_daemon() {
  local name=$1 pidfile="$DIR/run/$1.pid"
  shift
  "$@" </dev/null >>"$DIR/log/$name.out" 2>&1 9>&- || die "$name failed to start (see $DIR/log/$name.*)"
  wait_for "$name pid file" test -s "$pidfile"
  local pid
  pid=$(cat "$pidfile")
  echo "$pid" >>"$DIR/pids"
  PIDS+=("$pid")
}


# The ceph CLI, never hanging for long (it waits minutes for an absent mon).
ceph_cli() { timeout 30 ceph -c "$CONF" --connect-timeout 10 "$@"; }
mon_up() { ceph_cli mon stat >/dev/null 2>&1; }
osd_up() { grep -q '^osd\.0 up' <<<"$(ceph_cli osd dump 2>/dev/null)"; }
rgw_answers() { [ -n "$(http_status "$RGW_PORT")" ]; }

on_start_exit() {
  local rc=$?
  [ $rc -ne 0 ] || return 0
  log "start failed; stopping what was started"
  local f
  for f in "$DIR"/log/*.log "$DIR"/log/*.out; do
    [ -s "$f" ] || continue
    printf -- '--- tail of %s ---\n' "$f" >&2
    tail -n 25 "$f" >&2
  done
  kill_recorded "$DIR"
  if [ "$CREATED_DIR" = 1 ] && [ "${CEPH_RGW_KEEP:-}" != 1 ]; then
    rm -rf -- "$DIR"
  else
    log "state left in $DIR"
  fi
  exit $rc
}

cmd_start() {
  local b
  for b in "${BINARIES[@]}"; do
    command -v "$b" >/dev/null || die "$b not installed (run: $0 install)"
  done
  TIMEOUT=${CEPH_RGW_TIMEOUT:-60}
  local access=${RGW_ACCESS_KEY:-CEPHTEST} secret=${RGW_SECRET_KEY:-CEPHTESTSECRET} uid=${RGW_UID:-cephtest}

  CREATED_DIR=0
  if [ -n "${1:-}" ]; then
    DIR=$1
    mkdir -p -- "$DIR"
    [ -z "$(ls -A -- "$DIR")" ] || die "$DIR is not empty"
  else
    DIR=$(mktemp -d "${TMPDIR:-/tmp}/ceph-rgw.XXXXXX")
    CREATED_DIR=1
  fi
  DIR=$(cd -- "$DIR" && pwd)
  # Unix socket paths (the admin sockets) are limited to 107 bytes.
  if [ ${#DIR} -gt 80 ]; then
    [ "$CREATED_DIR" = 0 ] || rmdir -- "$DIR"
    die "DIR path is too long for ceph's admin sockets: $DIR"
  fi
  PIDS=()
  : >"$DIR/$MARKER"
  : >"$DIR/pids"
  mkdir -p "$DIR"/{run,log,mon.a,osd.0,rgw.a}
  trap on_start_exit EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  # Two starts at once (e.g. two jest workers) must not pick the same free
  # ports: hold a lock from choosing the ports until radosgw has bound its own.
  # The daemons must not inherit the lock's fd (see start_daemon).
  exec 9>"${TMPDIR:-/tmp}/ceph-rgw.sh.lock"
  flock -w "$TIMEOUT" 9 || die "could not get ${TMPDIR:-/tmp}/ceph-rgw.sh.lock"

  if [ -n "${RGW_PORT:-}" ]; then
    ! port_in_use "$RGW_PORT" || die "RGW_PORT $RGW_PORT is already in use"
  else
    RGW_PORT=$(free_port 7480)
  fi
  if [ -n "${MON_PORT:-}" ]; then
    ! port_in_use "$MON_PORT" || die "MON_PORT $MON_PORT is already in use"
  else
    MON_PORT=$(free_port 3300)
  fi
  log "dir $DIR, mon port $MON_PORT, RGW port $RGW_PORT"

  local fsid osd_uuid
  fsid=$(cat /proc/sys/kernel/random/uuid)
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  CONF="$DIR/ceph.conf"
  cat >"$CONF" <<EOF
# Throw-away test cluster written by scripts/ceph-rgw.sh (see its header).
[global]
fsid = $fsid
mon host = [v2:127.0.0.1:$MON_PORT]
mon initial members = a
public addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
ms bind msgr1 = false
ms bind ipv6 = false
run dir = $DIR/run
log file = $DIR/log/\$name.log
pid file = $DIR/run/\$name.pid
admin socket = $DIR/run/\$name.asok
log to stderr = false
err to stderr = false
mon cluster log file = $DIR/log/cluster.log
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon data avail warn = 1
mon data avail crit = 0
paxos propose interval = 0.05

[mon]
mon data = $DIR/mon.\$id

[osd]
osd data = $DIR/osd.\$id
osd objectstore = memstore
memstore device bytes = 4294967296

[client]
ms mon client mode = crc secure
rgw data = $DIR/rgw.\$id
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw torrent flag = true
rgw thread pool size = 64
EOF

  # Monitor.
  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$MON_PORT]" "$DIR/monmap" >/dev/null
  ceph-mon -c "$CONF" -i a --mkfs --monmap "$DIR/monmap" >>"$DIR/log/mon.a.out" 2>&1 \
    || die "ceph-mon --mkfs failed"
  start_daemon mon.a ceph-mon -c "$CONF" -i a
  wait_for "the monitor" mon_up
  log "mon.a up ($(elapsed))"

  # One OSD, in memory.
  local id
  id=$(ceph_cli osd new "$osd_uuid")
  [ "$id" = 0 ] || die "expected osd id 0, got '$id'"
  ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$osd_uuid" >>"$DIR/log/osd.0.out" 2>&1 \
    || die "ceph-osd --mkfs failed"
  start_daemon osd.0 ceph-osd -c "$CONF" -i 0
  wait_for "osd.0 to be up" osd_up
  log "osd.0 up ($(elapsed))"

  # The S3 user (radosgw-admin creates the default realm/zone on first use),
  # then the gateway.
  timeout "$TIMEOUT" radosgw-admin -c "$CONF" user create --uid="$uid" --display-name="$uid" \
    --access-key="$access" --secret-key="$secret" >"$DIR/log/user-create.out" 2>&1 \
    || die "radosgw-admin user create failed (exit $?; 124 = timed out): $(tail -n 5 "$DIR/log/user-create.out")"
  log "user $uid created ($(elapsed))"
  start_daemon client.rgw.a radosgw -c "$CONF" -n client.rgw.a
  wait_for "radosgw on port $RGW_PORT" rgw_answers

  local p
  for p in "${PIDS[@]}"; do running "$p" || die "pid $p died during start-up"; done
  trap - EXIT INT TERM
  exec 9>&-
  log "radosgw answers on 127.0.0.1:$RGW_PORT: ready in $(elapsed)"
  cat <<EOF
RGW_ENDPOINT=http://127.0.0.1:$RGW_PORT
RGW_PORT=$RGW_PORT
RGW_REGION=us-east-1
RGW_ACCESS_KEY=$access
RGW_SECRET_KEY=$secret
RGW_DIR=$DIR
RGW_PIDS="${PIDS[*]}"
EOF
}

# ------------------------------------------------------------------- stop ---

# True if $1 is still a ceph daemon of ours (guards against pid reuse).
is_ceph_pid() {
  local comm
  comm=$(cat "/proc/$1/comm" 2>/dev/null) || return 1
  case $comm in ceph-mon | ceph-osd | radosgw) return 0 ;; *) return 1 ;; esac
}

# True while $1 runs (a zombie waiting for its parent to reap it does not count).
running() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

kill_recorded() {
  local dir=$1 pid pids=() left
  [ -f "$dir/pids" ] || return 0
  while read -r pid; do
    [[ $pid =~ ^[0-9]+$ ]] && running "$pid" && is_ceph_pid "$pid" && pids+=("$pid")
  done <"$dir/pids"
  [ ${#pids[@]} -gt 0 ] || return 0
  # SIGKILL straight away: everything is thrown away anyway, and a clean
  # shutdown is slow (radosgw takes seconds on SIGTERM; on SIGTERM the
  # memstore OSD first writes every object it holds to DIR).
  kill -KILL "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 1 50); do
    left=()
    for pid in "${pids[@]}"; do running "$pid" && is_ceph_pid "$pid" && left+=("$pid"); done
    [ ${#left[@]} -gt 0 ] || break
    sleep 0.1
  done
  [ ${#left[@]} -eq 0 ] || log "warning: pids still running: ${left[*]}"
  # The daemons are not our children: their parent (init) reaps them. Give it
  # a moment, so that no zombie shows in ps when we return.
  for _ in $(seq 1 50); do
    left=()
    for pid in "${pids[@]}"; do [ ! -e "/proc/$pid" ] || left+=("$pid"); done
    [ ${#left[@]} -gt 0 ] || return 0
    sleep 0.1
  done
}

cmd_stop() {
  local dir=${1:-}
  [ -n "$dir" ] || die "usage: $0 stop DIR"
  [ -d "$dir" ] || { log "$dir does not exist; nothing to stop"; return 0; }
  [ -f "$dir/$MARKER" ] || die "$dir was not made by $0 start; not touching it"
  kill_recorded "$dir"
  rm -rf -- "$dir"
}

case ${1:-} in
  install) cmd_install ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  *) usage ;;
esac
