#!/usr/bin/env bash
# Compose smoke test (ctest: compose_smoke, label compose). Starts the Docker daemon when it is
# installed but not running, builds the base image (deploy/make-base-image, no registry) and the
# project image (deploy/build-image), then brings up deploy/docker-compose.yml: coordinator,
# origin, two edges, a headless client. Checks: the client reports frames from an edge; the
# edges' advertised URLs play from the host; after `docker stop` of the client's edge, the
# client plays again from the other edge. Everything it started is removed at the end.
# First, without a daemon (a second or two): the redundant and monitoring overrides merge, and
# `docker stack config` (Swarm's schema) accepts the files Swarm deploys.
#
# Exit: 0 passed, 1 failed, 77 skipped ("SKIPPED: reason" when Docker cannot run here).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PROJECT=rs-smoke-$$
SKIP=77
t_start=$(date +%s)

skip() { echo "SKIPPED: $*"; exit $SKIP; }
fail() { echo "FAIL: $*"; dump_logs; exit 1; }
say() { printf '[%4ss] %s\n' "$(( $(date +%s) - t_start ))" "$*"; }

# ---- the compose files (no daemon needed) ------------------------------------------------------
# A compose CLI: the v2 plugin, else docker-compose v1 (both read the files without a daemon).
if command -v docker >/dev/null && docker compose version >/dev/null 2>&1; then
  COMPOSE=(docker compose)
elif command -v docker-compose >/dev/null; then
  COMPOSE=(docker-compose)
else
  skip "neither 'docker compose' (v2 plugin) nor docker-compose (v1) is installed (apt-get install docker-compose)"
fi
files_fail() { echo "FAIL: $*"; exit 1; }
config() { "${COMPOSE[@]}" -p "$PROJECT" -f "$ROOT/deploy/docker-compose.yml" "$@"; }

# The redundant override must merge into a valid file that lists both replicas everywhere.
redundant=$(config -f "$ROOT/deploy/docker-compose.redundant.yml" config 2>&1) ||
  { echo "$redundant" | tail -n 20; files_fail "docker-compose.redundant.yml does not merge"; }
[ "$(grep -c 'FLAGS_coordinator: coordinator:50051,coordinator2:50051' <<<"$redundant")" -ge 4 ] ||
  files_fail "docker-compose.redundant.yml: not every node and the client list both coordinators"
# Prometheus scrapes every origin's --http (deploy/prometheus/prometheus.yml).
[ "$(grep -c 'FLAGS_http: 0.0.0.0:9102' <<<"$redundant")" -eq 2 ] ||
  files_fail "docker-compose.redundant.yml: origin and origin-standby must both serve --http on 9102"

# The monitoring override adds only `prometheus`, built from deploy/Dockerfile.prometheus, and
# the plain file has no Prometheus.
monitoring=$(config -f "$ROOT/deploy/docker-compose.monitoring.yml" config 2>&1) ||
  { echo "$monitoring" | tail -n 20; files_fail "docker-compose.monitoring.yml does not merge"; }
grep -q 'dockerfile: Dockerfile.prometheus' <<<"$monitoring" ||
  files_fail "docker-compose.monitoring.yml: prometheus is not built from deploy/Dockerfile.prometheus"
services=$(config -f "$ROOT/deploy/docker-compose.monitoring.yml" config --services 2>&1 | sort | tr '\n' ' ')
[ "$services" = "client coordinator edge origin prometheus " ] ||
  files_fail "docker-compose.monitoring.yml: services are '$services', want the plain ones and prometheus"
! config config --services 2>/dev/null | grep -qx prometheus ||
  files_fail "docker-compose.yml: prometheus belongs in docker-compose.monitoring.yml only"

# Swarm reads the same files with its own schema, which has no `profiles:` or other compose-only
# keys (docker stack config: Docker 20.10 and later).
swarm=""
if command -v docker >/dev/null && docker stack config --help >/dev/null 2>&1; then
  for extra in "" docker-stack.no-ipvs.yml docker-compose.redundant.yml docker-compose.monitoring.yml; do
    out=$(docker stack config -c "$ROOT/deploy/docker-compose.yml" ${extra:+-c "$ROOT/deploy/$extra"} 2>&1 >/dev/null) ||
      { grep -v 'level=warning' <<<"$out"; files_fail "docker stack config rejects docker-compose.yml${extra:+ + $extra}"; }
  done
  swarm=", Swarm's schema accepts them"
fi
say "compose files: the redundant and monitoring overrides merge$swarm"

# A sanitizer build's programs are not what the image ships (and its containers would run them
# without the reviewed suppressions): the files were checked above; the cluster is left to the
# normal build.
if [ -n "${RS_SANITIZE:-}" ]; then
  skip "a sanitizer build (RS_SANITIZE=$RS_SANITIZE): compose files checked; the containers run only from the normal build"
fi

# ---- Docker daemon ----------------------------------------------------------------------------
OUR_DOCKERD=""
# Stops the dockerd this test started (by PID), with its containerd, and undoes what it changed.
stop_our_dockerd() {
  [ -n "$OUR_DOCKERD" ] || return 0
  kill -TERM "$OUR_DOCKERD" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$OUR_DOCKERD" 2>/dev/null || break; sleep 0.5; done
  kill -KILL "$OUR_DOCKERD" 2>/dev/null || true
  if [ -s "/tmp/$PROJECT-iptables.before" ]; then
    iptables-restore <"/tmp/$PROJECT-iptables.before" 2>/dev/null || true
  fi
  rm -f "/tmp/$PROJECT-iptables.before"
  [ "${had_docker0:-0}" = 1 ] || ip link delete docker0 2>/dev/null || true
  OUR_DOCKERD=""
}
command -v docker >/dev/null || skip "no docker CLI (apt-get install docker.io)"
if ! docker info >/dev/null 2>&1; then
  command -v dockerd >/dev/null || skip "no Docker daemon reachable and no dockerd installed (apt-get install docker.io)"
  [ "$(id -u)" -eq 0 ] || skip "the Docker daemon is not running and starting dockerd needs root"
  for pidfile in /var/run/docker.pid /run/docker.pid; do
    if [ -f "$pidfile" ] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then rm -f "$pidfile"; fi
  done
  # Started here, so stopped here (stop_our_dockerd, on exit): Docker rewrites iptables (FORWARD
  # policy DROP, its own chains) and adds docker0; the rules as they were and the bridge's absence
  # are restored after it stops.
  command -v iptables-save >/dev/null && iptables-save >"/tmp/$PROJECT-iptables.before" 2>/dev/null
  ip link show docker0 >/dev/null 2>&1 && had_docker0=1 || had_docker0=0
  say "starting dockerd (log /tmp/rs-dockerd.log); it is stopped when this test ends"
  dockerd >/tmp/rs-dockerd.log 2>&1 &
  OUR_DOCKERD=$!
  trap stop_our_dockerd EXIT
  for _ in $(seq 1 40); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 ||
    skip "dockerd does not start here: $(grep -iE 'error|fail' /tmp/rs-dockerd.log | tail -n 1 | cut -c1-300)"
fi

say "docker $(docker version --format '{{.Server.Version}}' 2>/dev/null), compose: ${COMPOSE[*]}"

# ---- images -----------------------------------------------------------------------------------
if ! docker image inspect "${RS_IMAGE:-rtsp-streamer:latest}" >/dev/null 2>&1 || [ "${RS_REBUILD:-1}" = 1 ]; then
  if ! docker image inspect debian:bookworm >/dev/null 2>&1 &&
     ! docker image inspect rtsp-streamer/debian:bookworm >/dev/null 2>&1; then
    command -v debootstrap >/dev/null || skip "no base image and no debootstrap to make one (apt-get install debootstrap)"
    say "making the base image (debootstrap, a few minutes the first time)"
    "$ROOT/deploy/make-base-image" || fail "deploy/make-base-image failed"
  fi
  # Under ctest the programs are already built on this host: package them (deploy/Dockerfile.prebuilt,
  # a minute or two) instead of compiling again inside Docker (deploy/Dockerfile, ~20 min on 2
  # cores). RS_FULL_IMAGE=1 forces the full multi-stage build.
  if [ -n "${RS_BIN_DIR:-}" ] && [ "${RS_FULL_IMAGE:-0}" != 1 ]; then
    say "building the image from the programs in $RS_BIN_DIR (deploy/Dockerfile.prebuilt)"
    build=("$ROOT/deploy/build-image" --prebuilt "$RS_BIN_DIR" "${RS_IMAGE:-rtsp-streamer:latest}")
  else
    say "building the image (deploy/Dockerfile; cached layers make this quick after the first time)"
    build=("$ROOT/deploy/build-image" "${RS_IMAGE:-rtsp-streamer:latest}")
  fi
  "${build[@]}" >/tmp/$PROJECT-build.log 2>&1 ||
    { tail -n 30 /tmp/$PROJECT-build.log; fail "image build failed (log /tmp/$PROJECT-build.log)"; }
fi

# ---- compose up -------------------------------------------------------------------------------
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
export RS_COORDINATOR_PORT=$(free_port) RS_COORDINATOR_HTTP_PORT=$(free_port) RS_WARMUP=1s
compose() { "${COMPOSE[@]}" -p "$PROJECT" -f "$ROOT/deploy/docker-compose.yml" "$@"; }
dump_logs() { compose logs --no-color --tail=15 2>/dev/null | tail -n 80; }
# A passed run leaves no logs in /tmp; a failed one keeps them (its message names them).
cleanup() {
  compose down -v --remove-orphans >/dev/null 2>&1 || true
  stop_our_dockerd
  if [ "${passed:-0}" = 1 ]; then
    rm -f "/tmp/$PROJECT-build.log" "/tmp/$PROJECT-up.log" "/tmp/$PROJECT-probe.txt" /tmp/rs-dockerd.log
  fi
}
trap cleanup EXIT
trap 'cleanup; exit 1' INT TERM

say "compose up: coordinator, origin, edge x2, client (project $PROJECT)"
compose up -d --scale edge=2 >/tmp/$PROJECT-up.log 2>&1 || { cat /tmp/$PROJECT-up.log; fail "compose up failed"; }

client_json() { compose logs --no-color client 2>/dev/null | grep -o '{"t":.*}' ; }
client_log() { compose logs --no-color client 2>/dev/null; }

edge=""
for _ in $(seq 1 60); do
  line=$(client_json | awk -F'"frames":' '{split($2,a,","); if (a[1] > 0) print}' | tail -n 1)
  if [ -n "$line" ]; then edge=$(sed -E 's/.*"edge":"([^"]*)".*/\1/' <<<"$line"); break; fi
  sleep 1
done
[ -n "$edge" ] || fail "the client reported no frames within 60 s"
say "client plays from $edge: $(cut -c1-120 <<<"$line")"

# Health: every container healthy (the probes are the images' own `healthcheck` modes).
for _ in $(seq 1 30); do
  unhealthy=$(docker ps --filter "label=com.docker.compose.project=$PROJECT" --format '{{.Names}} {{.Status}}' | grep -v '(healthy)' | grep -v -- '-client-\|_client_' || true)
  [ -z "$unhealthy" ] && break
  sleep 1
done
[ -z "$unhealthy" ] || fail "containers not healthy: $unhealthy"
say "healthchecks: $(docker ps --filter "label=com.docker.compose.project=$PROJECT" --format '{{.Names}}={{.Status}}' | tr '\n' ' ')"

# The advertised URLs (container addresses) play from the host.
for id in $(compose ps -q edge); do
  ip=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$id")
  if command -v ffprobe >/dev/null; then
    ffprobe -v quiet -rtsp_transport tcp -timeout 3000000 -show_entries stream=codec_name,width,height -of csv=p=0 \
      "rtsp://$ip:8554/cam1" >/tmp/$PROJECT-probe.txt 2>&1 || fail "rtsp://$ip:8554/cam1 does not play from the host"
    say "from the host: rtsp://$ip:8554/cam1 -> $(tr '\n' ' ' </tmp/$PROJECT-probe.txt)"
  fi
done
docker exec "$(compose ps -q coordinator)" rtsp-coordinator --status=127.0.0.1:50051 | sed 's/^/    /' | head -n 12

# Stop the client's edge (its name is edge-<container hostname> = edge-<short id>).
victim=${edge#edge-}
docker inspect "$victim" >/dev/null 2>&1 || fail "cannot find the container of $edge"
t_stop=$(date +%s.%N)
say "docker stop $edge"
docker stop -t 5 "$victim" >/dev/null
recovered=""
for _ in $(seq 1 60); do
  after=$(client_log | grep -E 'first frame from edge-' | grep -v "first frame from $edge " | tail -n 1)
  if [ -n "$after" ]; then
    wall=$(sed -E 's/.*wall_us=([0-9]+).*/\1/' <<<"$after")
    recovered=$(python3 -c "print(f'{$wall/1e6 - $t_stop:.2f}')")
    break
  fi
  sleep 0.5
done
[ -n "$recovered" ] || fail "the client did not play again from another edge within 30 s of stopping $edge"
say "client plays again: $(sed -E 's/.*(first frame from [^ ]+).*/\1/' <<<"$after"), ${recovered} s after docker stop (stop grace: the edge drains first)"
passed=1
say "PASSED compose smoke test in $(( $(date +%s) - t_start )) s"
