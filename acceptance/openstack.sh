#!/usr/bin/env bash
# Genuine OpenStack services on loopback for the acceptance suite:
# Keystone (gunicorn, fernet), Cinder (api, scheduler, volume, backup), Nova (api, conductor,
# scheduler, compute with the fake virt driver) with Placement, over PostgreSQL and RabbitMQ
# instances of their own.
#
#   acceptance/openstack.sh start    install what is missing, start what is not running
#   acceptance/openstack.sh stop     stop what this script started (recorded PIDs only)
#   acceptance/openstack.sh env      print OS_* (member), IBS_ACCEPTANCE_ADMIN_* (admin),
#                                    IBS_ACCEPTANCE_OTHER_* (second project) and the
#                                    member's application credential, as shell assignments
#   acceptance/openstack.sh status   what runs
#   acceptance/openstack.sh restart  stop, then start (after a configuration change)
#
# Everything binds 127.0.0.1. The default ports lie below Linux's ephemeral range (32768-60999),
# where an outgoing connection's local port can take a listening port first. Ports move with IBS_PG_PORT, IBS_RABBIT_PORT, IBS_EPMD_PORT,
# IBS_KEYSTONE_PORT, IBS_CINDER_PORT, IBS_NOVA_PORT, IBS_PLACEMENT_PORT, IBS_NEUTRON_PORT.
# Virtualenvs and state live in IBS_ACCEPTANCE_CACHE (default $XDG_CACHE_HOME/ibs-acceptance,
# else /var/cache/ibs-acceptance as root, else ~/.cache/ibs-acceptance), so a warm machine
# reuses them. Logs: $IBS_ACCEPTANCE_CACHE/run/log/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [[ -n "${IBS_ACCEPTANCE_CACHE:-}" ]]; then cache="$IBS_ACCEPTANCE_CACHE"
elif [[ -n "${XDG_CACHE_HOME:-}" ]]; then cache="$XDG_CACHE_HOME/ibs-acceptance"
elif [[ "$(id -u)" == 0 ]]; then cache=/var/cache/ibs-acceptance
else cache="$HOME/.cache/ibs-acceptance"
fi
run="$cache/run"
log="$run/log"
pids="$run/pids"

export IBS_PG_PORT="${IBS_PG_PORT:-25432}"
export IBS_RABBIT_PORT="${IBS_RABBIT_PORT:-25672}"
export IBS_RABBIT_DIST_PORT="${IBS_RABBIT_DIST_PORT:-25673}"
export IBS_EPMD_PORT="${IBS_EPMD_PORT:-25369}"
export IBS_KEYSTONE_PORT="${IBS_KEYSTONE_PORT:-25357}"
export IBS_CINDER_PORT="${IBS_CINDER_PORT:-28776}"
export IBS_NOVA_PORT="${IBS_NOVA_PORT:-28774}"
export IBS_PLACEMENT_PORT="${IBS_PLACEMENT_PORT:-28778}"
export IBS_NEUTRON_PORT="${IBS_NEUTRON_PORT:-29696}"
export IBS_GLANCE_PORT="${IBS_GLANCE_PORT:-29292}" # never listened on: Nova only builds URLs
# Keystone token lifetime in seconds: short, so that the suite sees the client renew tokens.
export IBS_TOKEN_EXPIRATION="${IBS_TOKEN_EXPIRATION:-60}"
export IBS_RUN="$run"
# Everything here talks to 127.0.0.1: never through a proxy from the environment.
export no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}" NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"
# Passwords of a throwaway cloud that listens on loopback only.
export IBS_ADMIN_PASSWORD=ibs-admin-secret
export IBS_SERVICE_PASSWORD=ibs-service-secret
export IBS_MEMBER_PASSWORD=ibs-member-secret
pg_password=ibs-pg-secret

python="${IBS_ACCEPTANCE_PYTHON:-python3}"
pg_bin="${IBS_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
rabbit_server="$(ls /usr/lib/rabbitmq/lib/rabbitmq_server-*/sbin/rabbitmq-server 2>/dev/null | sort -V | tail -n 1 || true)"

keystone_req="keystone==30.0.0 gunicorn==27.0.1 psycopg2-binary==2.9.13"
cinder_req="cinder==29.0.0 fixtures==4.3.2 psycopg2-binary==2.9.13"
nova_req="nova==34.0.0 openstack-placement==16.0.0 gunicorn==27.0.1 psycopg2-binary==2.9.13"

say() { printf '[openstack.sh %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { say "error: $*"; exit 1; }

# ---------------------------------------------------------------- installs

install_debian() {
  local missing=()
  [[ -x "$pg_bin/postgres" ]] || missing+=(postgresql)
  [[ -n "$rabbit_server" && -x "$rabbit_server" ]] || missing+=(rabbitmq-server)
  command -v setpriv >/dev/null || missing+=(util-linux)
  ((${#missing[@]})) || return 0
  [[ "$(id -u)" == 0 ]] || die "missing Debian packages ${missing[*]} (run as root to install)"
  say "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  # policy-rc.d keeps the packages' system services from starting: ours are separate instances.
  local policy=/usr/sbin/policy-rc.d added=""
  if [[ ! -e "$policy" ]]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; added=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >"$cache/apt.log" 2>&1 \
    || { [[ -n "$added" ]] && rm -f "$policy"; cat "$cache/apt.log" >&2; die "apt-get install failed"; }
  [[ -n "$added" ]] && rm -f "$policy"
  pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  rabbit_server="$(ls /usr/lib/rabbitmq/lib/rabbitmq_server-*/sbin/rabbitmq-server | sort -V | tail -n 1)"
}

# venv NAME REQUIREMENTS: a virtualenv under the cache, rebuilt when the requirements change.
venv() {
  local dir="$cache/$1" req="$2"
  if [[ -f "$dir/.ibs-installed" && "$(cat "$dir/.ibs-installed")" == "$req" ]]; then return 0; fi
  say "installing $1 into $dir ($req)"
  rm -rf "$dir"
  "$python" -m venv "$dir"
  # shellcheck disable=SC2086
  "$dir/bin/pip" install -q --disable-pip-version-check $req >"$cache/pip-$1.log" 2>&1 \
    || { tail -n 30 "$cache/pip-$1.log" >&2; die "pip install for $1 failed"; }
  printf '%s' "$req" >"$dir/.ibs-installed"
}

install_all() {
  mkdir -p "$cache" "$run" "$log" "$pids"
  # Logs are appended to across runs: start over when one grows large.
  find "$log" -name '*.log' -size +20M -exec truncate -s 0 {} + 2>/dev/null || true
  install_debian
  # Three independent downloads: in parallel.
  local failed=0
  venv keystone "$keystone_req" & local k=$!
  venv cinder "$cinder_req" & local c=$!
  venv nova "$nova_req" & local n=$!
  wait $k || failed=1; wait $c || failed=1; wait $n || failed=1
  ((failed == 0)) || die "an install failed"
}

# ---------------------------------------------------------------- processes

# starttime PID: the process's start time in clock ticks since boot (field 22 of stat).
starttime() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }

# alive NAME: the recorded process runs, and is the one we started (same start time), so a
# recycled PID is never taken for ours.
alive() {
  local f="$pids/$1"
  [[ -f "$f" ]] || return 1
  local pid start
  read -r pid start _ <"$f" || return 1
  [[ -n "$pid" && -d "/proc/$pid" ]] || return 1
  [[ "$(starttime "$pid")" == "$start" ]]
}

# launch NAME CMD...: start CMD in its own session, log to $log/NAME.log, record its PID.
launch() {
  local name="$1"; shift
  if alive "$name"; then return 0; fi
  say "starting $name"
  setsid "$@" >>"$log/$name.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid $(starttime "$pid") $(date +%s)" >"$pids/$name"
}

wait_port() { # wait_port NAME PORT SECONDS
  local name="$1" port="$2" limit="$3" i
  for ((i = 0; i < limit * 4; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    alive "$name" || { tail -n 40 "$log/$name.log" >&2; die "$name exited (log: $log/$name.log)"; }
    sleep 0.25
  done
  tail -n 40 "$log/$name.log" >&2
  die "$name did not listen on 127.0.0.1:$port within ${limit}s (log: $log/$name.log)"
}

wait_http() { # wait_http NAME URL SECONDS: until the URL answers any HTTP status
  local name="$1" url="$2" limit="$3" i
  for ((i = 0; i < limit * 2; i++)); do
    if "$cache/keystone/bin/python" - "$url" <<'EOF' 2>/dev/null; then return 0; fi
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1], timeout=5)
except urllib.error.HTTPError:
    pass
EOF
    alive "$name" || { tail -n 40 "$log/$name.log" >&2; die "$name exited (log: $log/$name.log)"; }
    sleep 0.5
  done
  tail -n 40 "$log/$name.log" >&2
  die "$name did not answer $url within ${limit}s"
}

# gone PID: the process has exited (a zombie counts: its parent is not us).
gone() { [[ ! -d "/proc/$1" || "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" == Z ]]; }

stop_one() {
  local name="$1" f="$pids/$1"
  [[ -f "$f" ]] || return 0
  if alive "$name"; then
    local pid; read -r pid _ <"$f"
    say "stopping $name (pid $pid)"
    # postgres: SIGINT is its fast shutdown; others: SIGTERM to the process group we created.
    local sig=TERM; [[ "$name" == postgres ]] && sig=INT
    kill -"$sig" -- "-$pid" 2>/dev/null || kill -"$sig" "$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < 80; i++)); do gone "$pid" && break; sleep 0.25; done
    if ! gone "$pid"; then say "$name did not stop in 20s: killing it"; kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$f"
}

# ---------------------------------------------------------------- PostgreSQL and RabbitMQ

pg_url() { echo "postgresql+psycopg2://ibs:$pg_password@127.0.0.1:$IBS_PG_PORT/$1"; }

start_postgres() {
  local data="$run/postgres"
  if [[ ! -f "$data/PG_VERSION" ]]; then
    say "initialising PostgreSQL in $data"
    rm -rf "$data"; mkdir -p "$data"; chown postgres:postgres "$data"; chmod 700 "$data"
    local pw; pw="$(mktemp)"; echo "$pg_password" >"$pw"; chown postgres "$pw"
    setpriv --reuid=postgres --regid=postgres --init-groups \
      "$pg_bin/initdb" -D "$data" -U ibs --pwfile="$pw" --auth=scram-sha-256 -E UTF8 --locale=C \
      >"$log/initdb.log" 2>&1 || { rm -f "$pw"; cat "$log/initdb.log" >&2; die "initdb failed"; }
    rm -f "$pw"
  fi
  mkdir -p "$run/pgsock"; chown postgres "$run/pgsock"
  launch postgres setpriv --reuid=postgres --regid=postgres --init-groups \
    "$pg_bin/postgres" -D "$data" -p "$IBS_PG_PORT" -c listen_addresses=127.0.0.1 \
    -c unix_socket_directories="$run/pgsock" -c max_connections=400 -c fsync=off \
    -c synchronous_commit=off -c full_page_writes=off
  wait_port postgres "$IBS_PG_PORT" 60
  local db
  for db in keystone cinder nova_api nova_cell0 nova placement; do
    if ! PGPASSWORD="$pg_password" psql -h 127.0.0.1 -p "$IBS_PG_PORT" -U ibs -d postgres -tAc \
        "select 1 from pg_database where datname='$db'" | grep -q 1; then
      PGPASSWORD="$pg_password" psql -h 127.0.0.1 -p "$IBS_PG_PORT" -U ibs -d postgres -qc \
        "create database $db" >/dev/null
    fi
  done
}

start_rabbit() {
  local dir="$run/rabbitmq"
  # Nothing in RabbitMQ needs to outlive it (the services declare their queues again): a
  # fresh node directory each time keeps a node that was killed from refusing to boot.
  if ! alive rabbitmq; then rm -rf "$dir/mnesia"; fi
  mkdir -p "$dir/mnesia" "$dir/log"
  echo '[].' >"$dir/enabled_plugins"
  cat >"$dir/rabbitmq.conf" <<EOF
listeners.tcp.1 = 127.0.0.1:$IBS_RABBIT_PORT
loopback_users.guest = true
log.console = true
log.file = false
EOF
  launch epmd env -i PATH="$PATH" HOME="$dir" /usr/bin/epmd -address 127.0.0.1 -port "$IBS_EPMD_PORT"
  wait_port epmd "$IBS_EPMD_PORT" 20
  launch rabbitmq env -i PATH="$PATH" HOME="$dir" LANG=C.UTF-8 \
    ERL_EPMD_PORT="$IBS_EPMD_PORT" ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_NODENAME=ibs-acceptance@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT="$IBS_RABBIT_PORT" RABBITMQ_DIST_PORT="$IBS_RABBIT_DIST_PORT" \
    RABBITMQ_CONF_ENV_FILE=/dev/null RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" RABBITMQ_MNESIA_BASE="$dir/mnesia" \
    RABBITMQ_LOG_BASE="$dir/log" RABBITMQ_PID_FILE="$dir/rabbitmq.pid" \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
    "$rabbit_server"
  wait_port rabbitmq "$IBS_RABBIT_PORT" 90
}

# ---------------------------------------------------------------- configuration

transport_url() { echo "rabbit://guest:guest@127.0.0.1:$IBS_RABBIT_PORT/"; }
keystone_url() { echo "http://127.0.0.1:$IBS_KEYSTONE_PORT"; }

authtoken_section() { # authtoken_section USER
  cat <<EOF
[keystone_authtoken]
www_authenticate_uri = $(keystone_url)/v3
auth_url = $(keystone_url)/v3
auth_type = password
username = $1
password = $IBS_SERVICE_PASSWORD
project_name = service
user_domain_name = Default
project_domain_name = Default
region_name = RegionOne
service_token_roles = service
service_token_roles_required = true
EOF
}

service_auth() { # service_auth SECTION USER
  cat <<EOF
[$1]
auth_type = password
auth_url = $(keystone_url)/v3
username = $2
password = $IBS_SERVICE_PASSWORD
project_name = service
user_domain_name = Default
project_domain_name = Default
region_name = RegionOne
EOF
}

write_configs() {
  mkdir -p "$run/bin" "$run/keystone/fernet-keys" "$run/keystone/credential-keys" \
    "$run/cinder/state" "$run/cinder/volumes" "$run/cinder/backups" "$run/nova/state" \
    "$run/nova/instances" "$run/placement" "$run/locks"
  # Cinder and Nova run their root helper through sudo; as root a shim that runs the command
  # itself is enough (dropping the "<x>-rootwrap <config>" prefix).
  cat >"$run/bin/sudo" <<'EOF'
#!/bin/sh
while [ $# -gt 0 ]; do case "$1" in -*) shift ;; *) break ;; esac; done
case "$1" in *-rootwrap) shift 2 ;; esac
exec "$@"
EOF
  chmod +x "$run/bin/sudo"

  # Keystone
  cat >"$run/keystone/keystone.conf" <<EOF
[DEFAULT]
debug = false
[database]
connection = $(pg_url keystone)
max_pool_size = 5
max_overflow = 10
[identity]
# With tokens shorter than keystoneauth's 120 s renewal margin, every service call
# authenticates anew: cheap bcrypt keeps that from eating the two cores.
password_hash_rounds = 4
[token]
provider = fernet
expiration = $IBS_TOKEN_EXPIRATION
[fernet_tokens]
key_repository = $run/keystone/fernet-keys
[fernet_receipts]
key_repository = $run/keystone/fernet-keys
[credential]
key_repository = $run/keystone/credential-keys
EOF
  # Keystone reads sys.argv for its own options: gunicorn gets no arguments, only this file.
  cat >"$run/keystone/gunicorn.conf.py" <<EOF
wsgi_app = "keystone.server.wsgi:initialize_public_application()"
bind = "127.0.0.1:$IBS_KEYSTONE_PORT"
workers = 3
timeout = 120
raw_env = ["OS_KEYSTONE_CONFIG_FILES=$run/keystone/keystone.conf"]
accesslog = "-"
EOF

  # Placement
  cat >"$run/placement/placement.conf" <<EOF
[DEFAULT]
debug = false
[placement_database]
connection = $(pg_url placement)
max_pool_size = 5
max_overflow = 5
[api]
auth_strategy = keystone
$(authtoken_section placement)
EOF
  cat >"$run/placement/gunicorn.conf.py" <<EOF
wsgi_app = "placement.wsgi.api:application"
bind = "127.0.0.1:$IBS_PLACEMENT_PORT"
workers = 1
threads = 4
timeout = 120
raw_env = ["OS_PLACEMENT_CONFIG_DIR=$run/placement"]
EOF

  # Cinder
  cp "$cache/cinder/etc/cinder/api-paste.ini" "$run/cinder/api-paste.ini"
  cp "$cache/cinder/etc/cinder/rootwrap.conf" "$run/cinder/rootwrap.conf"
  # Without its filter file, Cinder refuses every list filter ("Invalid filters name ...").
  cp "$cache/cinder/etc/cinder/resource_filters.json" "$run/cinder/resource_filters.json"
  cat >"$run/cinder/cinder.conf" <<EOF
[DEFAULT]
debug = false
graceful_shutdown_timeout = 5
host = ibs-cinder
my_ip = 127.0.0.1
state_path = $run/cinder/state
auth_strategy = keystone
transport_url = $(transport_url)
api_paste_config = $run/cinder/api-paste.ini
resource_query_filters_file = $run/cinder/resource_filters.json
rootwrap_config = $run/cinder/rootwrap.conf
osapi_volume_listen = 127.0.0.1
osapi_volume_listen_port = $IBS_CINDER_PORT
osapi_volume_workers = 2
osapi_max_limit = 5
enabled_backends = sparse
default_volume_type = __DEFAULT__
glance_api_servers = http://127.0.0.1:$IBS_GLANCE_PORT
use_default_quota_class = false
quota_volumes = 40
quota_snapshots = 30
quota_gigabytes = 60
quota_backups = 30
quota_backup_gigabytes = 400
per_volume_size_limit = -1
backup_driver = cinder.backup.drivers.posix.PosixBackupDriver
backup_posix_path = $run/cinder/backups
backup_compression_algorithm = none
backup_workers = 1
scheduler_default_filters = AvailabilityZoneFilter,CapacityFilter,CapabilitiesFilter
[sparse]
volume_driver = ibs_cinder_driver.SparseFileDriver
volume_backend_name = ibs-sparse
target_helper = fake
[database]
connection = $(pg_url cinder)
max_pool_size = 5
max_overflow = 10
[oslo_concurrency]
lock_path = $run/locks
[oslo_messaging_notifications]
driver = noop
[coordination]
backend_url = file://$run/cinder/state
$(authtoken_section cinder)
$(service_auth nova cinder)
interface = public
[service_user]
send_service_user_token = true
auth_type = password
auth_url = $(keystone_url)/v3
username = cinder
password = $IBS_SERVICE_PASSWORD
project_name = service
user_domain_name = Default
project_domain_name = Default
EOF

  # Nova
  cp "$cache/nova/etc/nova/api-paste.ini" "$run/nova/api-paste.ini"
  cat >"$run/nova/nova.conf" <<EOF
[DEFAULT]
debug = false
graceful_shutdown_timeout = 5
host = ibs-compute
my_ip = 127.0.0.1
state_path = $run/nova/state
instances_path = $run/nova/instances
transport_url = $(transport_url)
compute_driver = fake.FakeDriverWithoutFakeNodes
# Nova's fake driver keeps the node's identity here; the file survives restarts.
[api]
auth_strategy = keystone
[wsgi]
api_paste_config = $run/nova/api-paste.ini
[api_database]
connection = $(pg_url nova_api)
max_pool_size = 5
max_overflow = 5
[database]
connection = $(pg_url nova)
max_pool_size = 5
max_overflow = 5
[conductor]
workers = 1
[scheduler]
workers = 1
discover_hosts_in_cells_interval = 2
[oslo_concurrency]
lock_path = $run/locks
[oslo_messaging_notifications]
driver = noop
[notifications]
notification_format = unversioned
[glance]
api_servers = http://127.0.0.1:$IBS_GLANCE_PORT
[vnc]
enabled = false
[cinder]
catalog_info = block-storage:cinderv3:publicURL
os_region_name = RegionOne
auth_type = password
auth_url = $(keystone_url)/v3
username = nova
password = $IBS_SERVICE_PASSWORD
project_name = service
user_domain_name = Default
project_domain_name = Default
[service_user]
send_service_user_token = true
auth_type = password
auth_url = $(keystone_url)/v3
username = nova
password = $IBS_SERVICE_PASSWORD
project_name = service
user_domain_name = Default
project_domain_name = Default
$(service_auth placement nova)
$(service_auth neutron nova)
endpoint_override = http://127.0.0.1:$IBS_NEUTRON_PORT
$(authtoken_section nova)
EOF
}

# ---------------------------------------------------------------- services

ks() { "$cache/keystone/bin/$1" "${@:2}"; }

start_keystone() {
  if [[ ! -f "$run/keystone/.synced" ]]; then
    say "keystone: db_sync, fernet keys, bootstrap"
    ks keystone-manage --config-file "$run/keystone/keystone.conf" db_sync >>"$log/keystone-manage.log" 2>&1
    ks keystone-manage --config-file "$run/keystone/keystone.conf" fernet_setup \
      --keystone-user "$(id -un)" --keystone-group "$(id -gn)" >>"$log/keystone-manage.log" 2>&1
    ks keystone-manage --config-file "$run/keystone/keystone.conf" credential_setup \
      --keystone-user "$(id -un)" --keystone-group "$(id -gn)" >>"$log/keystone-manage.log" 2>&1
    touch "$run/keystone/.synced"
  fi
  if ! alive keystone; then
    ks keystone-manage --config-file "$run/keystone/keystone.conf" bootstrap \
      --bootstrap-password "$IBS_ADMIN_PASSWORD" --bootstrap-region-id RegionOne \
      --bootstrap-admin-url "$(keystone_url)/v3" --bootstrap-public-url "$(keystone_url)/v3" \
      --bootstrap-internal-url "$(keystone_url)/v3" >>"$log/keystone-manage.log" 2>&1 \
      || { tail -n 30 "$log/keystone-manage.log" >&2; die "keystone bootstrap failed"; }
  fi
  (cd "$run/keystone" && launch keystone "$cache/keystone/bin/gunicorn")
  wait_http keystone "$(keystone_url)/v3" 90
  "$cache/keystone/bin/python" "$here/bootstrap.py" keystone >>"$log/bootstrap.log" 2>&1 \
    || { tail -n 20 "$log/bootstrap.log" >&2; die "keystone setup failed"; }
}

cinder_env() {
  cenv=(env PATH="$run/bin:$cache/cinder/bin:$PATH" PYTHONPATH="$here"
    IBS_CINDER_VOLUME_DIR="$run/cinder/volumes")
}

start_cinder() {
  local conf="$run/cinder/cinder.conf" c="$cache/cinder/bin"
  cinder_env
  if [[ ! -f "$run/cinder/.synced" ]]; then
    say "cinder: db sync"
    "${cenv[@]}" "$c/cinder-manage" --config-file "$conf" db sync >>"$log/cinder-manage.log" 2>&1 \
      || { tail -n 30 "$log/cinder-manage.log" >&2; die "cinder db sync failed"; }
    touch "$run/cinder/.synced"
  fi
  launch cinder-api "${cenv[@]}" "$c/cinder-api" --config-file "$conf"
  launch cinder-scheduler "${cenv[@]}" "$c/cinder-scheduler" --config-file "$conf"
  launch cinder-volume "${cenv[@]}" "$c/cinder-volume" --config-file "$conf"
  launch cinder-backup "${cenv[@]}" "$c/cinder-backup" --config-file "$conf"
  wait_http cinder-api "http://127.0.0.1:$IBS_CINDER_PORT/" 120
}

nova_env() { nenv=(env PATH="$run/bin:$cache/nova/bin:$PATH"); }

start_nova() {
  local conf="$run/nova/nova.conf" n="$cache/nova/bin"
  nova_env
  if [[ ! -f "$run/placement/.synced" ]]; then
    say "placement: db sync"
    "${nenv[@]}" "$n/placement-manage" --config-file "$run/placement/placement.conf" db sync \
      >>"$log/nova-manage.log" 2>&1 || { tail -n 30 "$log/nova-manage.log" >&2; die "placement db sync failed"; }
    touch "$run/placement/.synced"
  fi
  if [[ ! -f "$run/nova/.synced" ]]; then
    say "nova: api_db sync, cells, db sync"
    {
      "${nenv[@]}" "$n/nova-manage" --config-file "$conf" api_db sync &&
      "${nenv[@]}" "$n/nova-manage" --config-file "$conf" cell_v2 map_cell0 \
        --database_connection "$(pg_url nova_cell0)" &&
      { "${nenv[@]}" "$n/nova-manage" --config-file "$conf" cell_v2 list_cells | grep -q ' cell1 ' ||
        "${nenv[@]}" "$n/nova-manage" --config-file "$conf" cell_v2 create_cell --name cell1; } &&
      "${nenv[@]}" "$n/nova-manage" --config-file "$conf" db sync
    } >>"$log/nova-manage.log" 2>&1 || { tail -n 30 "$log/nova-manage.log" >&2; die "nova db setup failed"; }
    touch "$run/nova/.synced"
  fi
  # The cell mappings hold database and RabbitMQ URLs: keep them in step with the ports.
  local cell1
  cell1="$("${nenv[@]}" "$n/nova-manage" --config-file "$conf" cell_v2 list_cells 2>/dev/null |
    awk -F'|' '$2 ~ /^ *cell1 *$/ {gsub(/ /, "", $3); print $3}')"
  [[ -n "$cell1" ]] || die "nova has no cell1 (log: $log/nova-manage.log)"
  {
    "${nenv[@]}" "$n/nova-manage" --config-file "$conf" cell_v2 update_cell \
      --cell_uuid 00000000-0000-0000-0000-000000000000 --transport-url none:/// \
      --database_connection "$(pg_url nova_cell0)" &&
    "${nenv[@]}" "$n/nova-manage" --config-file "$conf" cell_v2 update_cell --cell_uuid "$cell1" \
      --transport-url "$(transport_url)" --database_connection "$(pg_url nova)"
  } >>"$log/nova-manage.log" 2>&1 || { tail -n 20 "$log/nova-manage.log" >&2; die "nova cell update failed"; }
  cat >"$run/nova/gunicorn.conf.py" <<EOF
wsgi_app = "nova.wsgi.osapi_compute:application"
bind = "127.0.0.1:$IBS_NOVA_PORT"
workers = 2
timeout = 120
raw_env = ["OS_NOVA_CONFIG_DIR=$run/nova"]
EOF
  launch neutron-stub "$cache/nova/bin/python" "$here/neutron_stub.py" "$IBS_NEUTRON_PORT"
  wait_port neutron-stub "$IBS_NEUTRON_PORT" 20
  (cd "$run/placement" && launch placement "${nenv[@]}" "$n/gunicorn")
  (cd "$run/nova" && launch nova-api "${nenv[@]}" "$n/gunicorn")
  launch nova-conductor "${nenv[@]}" "$n/nova-conductor" --config-file "$conf"
  launch nova-scheduler "${nenv[@]}" "$n/nova-scheduler" --config-file "$conf"
  wait_http placement "http://127.0.0.1:$IBS_PLACEMENT_PORT/" 90
  wait_http nova-api "http://127.0.0.1:$IBS_NOVA_PORT/" 120
  # nova-compute started before the conductor listens waits a whole RPC timeout (60 s).
  wait_fresh nova 120 nova-conductor
  launch nova-compute "${nenv[@]}" "$n/nova-compute" --config-file "$conf"
}

launched_at() { cut -d' ' -f3 "$pids/$1" 2>/dev/null || echo 0; }

# wait_fresh nova|cinder SECONDS SERVICE...: until each service has sent a heartbeat since it
# was started (a stopped service's record still reads 'up' for a minute).
wait_fresh() {
  local api="$1" limit="$2" since=0 s t i; shift 2
  for s in "$@"; do t="$(launched_at "$s")"; ((${t:-0} > since)) && since="$t"; done
  for ((i = 0; i < limit; i++)); do
    if "$cache/keystone/bin/python" "$here/bootstrap.py" services-fresh "$api" "$since" "$@" \
      2>>"$log/bootstrap.log"; then return 0; fi
    for s in "$@"; do alive "$s" || { tail -n 40 "$log/$s.log" >&2; die "$s exited (log: $log/$s.log)"; }; done
    sleep 1
  done
  die "$* did not report within ${limit}s (logs: $log/)"
}

wait_nova_compute() {
  local conf="$run/nova/nova.conf" i
  nova_env
  # The scheduler ignores nova-compute until its first heartbeat and its node is mapped.
  wait_fresh nova 180 nova-compute
  for ((i = 0; i < 120; i++)); do
    "${nenv[@]}" "$cache/nova/bin/nova-manage" --config-file "$conf" cell_v2 discover_hosts >>"$log/nova-manage.log" 2>&1 || true
    if "$cache/keystone/bin/python" "$here/bootstrap.py" nova-ready 2>>"$log/bootstrap.log"; then return 0; fi
    alive nova-compute || { tail -n 40 "$log/nova-compute.log" >&2; die "nova-compute exited"; }
    sleep 1
  done
  die "nova-compute did not report in 120s (log: $log/nova-compute.log)"
}

all_services=(postgres epmd rabbitmq keystone cinder-api cinder-scheduler cinder-volume cinder-backup
  neutron-stub placement nova-api nova-conductor nova-scheduler nova-compute)

cmd_start() {
  local t0=$SECONDS
  install_all
  write_configs
  start_postgres
  start_rabbit
  start_keystone
  start_cinder
  start_nova
  "$cache/keystone/bin/python" "$here/bootstrap.py" cinder >>"$log/bootstrap.log" 2>&1 \
    || { tail -n 20 "$log/bootstrap.log" >&2; die "cinder setup failed"; }
  wait_nova_compute
  "$cache/keystone/bin/python" "$here/bootstrap.py" nova >>"$log/bootstrap.log" 2>&1 \
    || { tail -n 20 "$log/bootstrap.log" >&2; die "nova setup failed"; }
  wait_fresh cinder 120 cinder-scheduler cinder-volume cinder-backup
  say "all services up in $((SECONDS - t0))s"
}

cmd_stop() {
  # The OpenStack services together, then what they depend on.
  local s
  for s in "${all_services[@]:3}"; do stop_one "$s" & done
  wait
  for s in rabbitmq epmd postgres; do stop_one "$s"; done
}

cmd_status() {
  local s state=0
  for s in "${all_services[@]}"; do
    if alive "$s"; then printf '%-18s running (pid %s)\n' "$s" "$(cut -d' ' -f1 "$pids/$s")"
    else printf '%-18s stopped\n' "$s"; state=1; fi
  done
  return $state
}

cmd_env() {
  local appcred="$run/appcred.json" id="" secret=""
  if [[ -f "$appcred" ]]; then
    id="$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$appcred")"
    secret="$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["secret"])' "$appcred")"
  fi
  local url; url="$(keystone_url)/v3"
  cat <<EOF
export OS_AUTH_URL=$url
export OS_AUTH_TYPE=password
export OS_USERNAME=ibs-member
export OS_PASSWORD=$IBS_MEMBER_PASSWORD
export OS_USER_DOMAIN_NAME=Default
export OS_PROJECT_NAME=ibs-member
export OS_PROJECT_DOMAIN_NAME=Default
export OS_REGION_NAME=RegionOne
export OS_INTERFACE=public
export IBS_ACCEPTANCE_ADMIN_USERNAME=admin
export IBS_ACCEPTANCE_ADMIN_PASSWORD=$IBS_ADMIN_PASSWORD
export IBS_ACCEPTANCE_ADMIN_PROJECT_NAME=ibs-member
export IBS_ACCEPTANCE_OTHER_USERNAME=ibs-other
export IBS_ACCEPTANCE_OTHER_PASSWORD=$IBS_MEMBER_PASSWORD
export IBS_ACCEPTANCE_OTHER_PROJECT_NAME=ibs-other
export IBS_ACCEPTANCE_APP_CREDENTIAL_ID=$id
export IBS_ACCEPTANCE_APP_CREDENTIAL_SECRET=$secret
export IBS_ACCEPTANCE_FLAVOR=ibs-tiny
export IBS_ACCEPTANCE_MULTIATTACH_TYPE=ibs-multiattach
export IBS_ACCEPTANCE_FAILING_TYPE=ibs-nowhere
export IBS_ACCEPTANCE_TOKEN_LIFETIME=$IBS_TOKEN_EXPIRATION
export IBS_ACCEPTANCE_CINDER_MAX_MICROVERSION=3.71
EOF
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart) cmd_stop; cmd_start ;;
  logdir) echo "$log" ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *) echo "usage: $0 start|stop|restart|env|status" >&2; exit 2 ;;
esac
