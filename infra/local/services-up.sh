#!/usr/bin/env bash
# Starts the services the tests talk to, without Docker:
#   - a single-node KRaft Kafka broker on 127.0.0.1:9092 (controller on 127.0.0.1:9093),
#     run from the Maven Central jars listed in infra/local/kafka/pom.xml (jars stay in ~/.m2);
#   - Redis on 127.0.0.1:6379 (only when nothing answers there already).
# Idempotent: whatever already answers is left alone. Only what this script started is
# recorded (pid files in the state dir) and later stopped by services-down.sh.
#
# Environment:
#   COMMUNE_PULSE_SERVICES_DIR         state dir (default: <repo>/.cache/services)
#   COMMUNE_PULSE_KAFKA_START_TIMEOUT  seconds to wait for the broker (default 180)
#   COMMUNE_PULSE_KAFKA_HEAP_OPTS      broker heap (default "-Xmx512m -Xms256m")
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
POM="$REPO/infra/local/kafka/pom.xml"
STATE_DIR="${COMMUNE_PULSE_SERVICES_DIR:-$REPO/.cache/services}"
KAFKA_DIR="$STATE_DIR/kafka"
KAFKA_DATA="$KAFKA_DIR/data"
KAFKA_LOGS="$KAFKA_DIR/logs"
KAFKA_PID_FILE="$KAFKA_DIR/kafka.pid"
KAFKA_OUT="$KAFKA_LOGS/kafka.out"
CP_FILE="$STATE_DIR/kafka.classpath"
CP_STAMP="$STATE_DIR/kafka.classpath.pom-sha256"
REDIS_DIR="$STATE_DIR/redis"
REDIS_PID_FILE="$REDIS_DIR/redis.pid"

HOST=127.0.0.1
KAFKA_PORT=9092
CONTROLLER_PORT=9093
REDIS_PORT=6379
START_TIMEOUT="${COMMUNE_PULSE_KAFKA_START_TIMEOUT:-180}"
HEAP_OPTS="${COMMUNE_PULSE_KAFKA_HEAP_OPTS:--Xmx512m -Xms256m}"
# Short-lived command-line tools (storage format, topic listing): small heap, fast start.
TOOL_JVM_OPTS=(-Xmx192m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true)

started=()
trap 'printf "[services-up] ERROR: line %s: %s failed\n" "$LINENO" "$BASH_COMMAND" >&2' ERR

log() { printf '[services-up] %s\n' "$*"; }
die() { printf '[services-up] ERROR: %s\n' "$*" >&2; exit 1; }
now() { date +%s; }

port_open() { # host port
  timeout 1 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

pid_alive() { # pidfile [cmdline-substring]
  local pid
  [[ -s "$1" ]] || return 1
  pid="$(cat "$1")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [[ -n "${2:-}" ]]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2" || return 1
  fi
}

# ---------------------------------------------------------------------------------------------
# Kafka classpath: `mvn dependency:build-classpath`, offline first, online as a fallback.
# Cached in the state dir; rebuilt when the pom changes or a listed jar disappeared from ~/.m2.
# ---------------------------------------------------------------------------------------------
resolve_classpath() {
  command -v java >/dev/null || die "java not found on PATH (Java 17+ is needed for Kafka)"
  local sha
  sha="$(sha256sum "$POM" | cut -d' ' -f1)"
  if [[ -s "$CP_FILE" && -s "$CP_STAMP" && "$(cat "$CP_STAMP")" == "$sha" ]]; then
    local ok=1 jar jars=()
    # (the file has no trailing newline: read then returns 1)
    IFS=':' read -r -a jars <"$CP_FILE" || true
    for jar in "${jars[@]}"; do [[ -f "$jar" ]] || { ok=0; break; }; done
    if ((ok)); then
      KAFKA_CP="$(cat "$CP_FILE")"
      return
    fi
  fi
  command -v mvn >/dev/null || die "mvn not found on PATH (Maven resolves the Kafka jars)"
  local mvn_log="$STATE_DIR/mvn-resolve.log" t0
  t0="$(now)"
  local mvn_args=(-B -q -Dstyle.color=never -f "$POM" dependency:build-classpath
    "-Dmdep.outputFile=$CP_FILE.tmp" -Dmdep.includeScope=runtime)
  rm -f "$CP_FILE.tmp"
  if mvn -o "${mvn_args[@]}" >"$mvn_log" 2>&1; then
    log "Kafka classpath resolved offline from the Maven cache ($(($(now) - t0)) s)"
  else
    log "Kafka jars not all in the Maven cache: resolving online (a first run downloads ~60 MB into ~/.m2)"
    if ! mvn "${mvn_args[@]}" >"$mvn_log" 2>&1; then
      tail -n 40 "$mvn_log" >&2
      die "mvn could not resolve the Kafka classpath (full log: $mvn_log)"
    fi
    log "Kafka classpath resolved online ($(($(now) - t0)) s)"
  fi
  mv "$CP_FILE.tmp" "$CP_FILE"
  printf '%s\n' "$sha" >"$CP_STAMP"
  KAFKA_CP="$(cat "$CP_FILE")"
}

write_kafka_config() {
  mkdir -p "$KAFKA_DATA" "$KAFKA_LOGS"
  cat >"$KAFKA_DIR/server.properties" <<EOF
# Written by infra/local/services-up.sh on every run: edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_DATA
metadata.log.dir=$KAFKA_DATA

num.partitions=4
auto.create.topics.enable=true
delete.topic.enable=true
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=8
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0

# Small machine (2 cores) shared with the tests.
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=24
log.segment.bytes=67108864
log.retention.check.interval.ms=60000
EOF

  cat >"$KAFKA_DIR/log4j2.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by infra/local/services-up.sh on every run. -->
<Configuration status="warn">
  <Appenders>
    <RollingFile name="server" fileName="$KAFKA_LOGS/server.log" filePattern="$KAFKA_LOGS/server.log.%i">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
      <Policies><SizeBasedTriggeringPolicy size="20 MB"/></Policies>
      <DefaultRolloverStrategy max="3"/>
    </RollingFile>
  </Appenders>
  <Loggers>
    <Root level="info"><AppenderRef ref="server"/></Root>
    <Logger name="kafka.request.logger" level="warn"/>
    <Logger name="state.change.logger" level="warn"/>
    <Logger name="org.apache.kafka.clients" level="warn"/>
  </Loggers>
</Configuration>
EOF

  cat >"$KAFKA_DIR/tools-log4j2.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="warn">
  <Appenders><Console name="stderr" target="SYSTEM_ERR"><PatternLayout pattern="[%d] %p %m (%c)%n"/></Console></Appenders>
  <Loggers><Root level="warn"><AppenderRef ref="stderr"/></Root></Loggers>
</Configuration>
EOF
}

run_tool() { # main-class args... (a short-lived Kafka command-line tool)
  java "${TOOL_JVM_OPTS[@]}" "-Dlog4j2.configurationFile=$KAFKA_DIR/tools-log4j2.xml" -cp "$KAFKA_CP" "$@"
}

format_storage_once() {
  if [[ -f "$KAFKA_DATA/meta.properties" ]]; then
    return
  fi
  local cluster_id
  cluster_id="$(run_tool kafka.tools.StorageTool random-uuid | tail -n 1)"
  [[ -n "$cluster_id" ]] || die "kafka.tools.StorageTool random-uuid printed no cluster id"
  run_tool kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_DIR/server.properties" \
    --ignore-formatted >"$KAFKA_LOGS/format.log" 2>&1 || {
    cat "$KAFKA_LOGS/format.log" >&2
    die "formatting the KRaft storage in $KAFKA_DATA failed"
  }
  log "formatted KRaft storage in $KAFKA_DATA (cluster id $cluster_id)"
}

broker_answers() { # the broker serves metadata requests
  timeout 60 java "${TOOL_JVM_OPTS[@]}" "-Dlog4j2.configurationFile=$KAFKA_DIR/tools-log4j2.xml" \
    -cp "$KAFKA_CP" org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "$HOST:$KAFKA_PORT" --list >/dev/null 2>&1
}

show_broker_log_tail() {
  {
    echo "---- tail of $KAFKA_OUT ----"
    tail -n 30 "$KAFKA_OUT" 2>/dev/null || true
    echo "---- tail of $KAFKA_LOGS/server.log ----"
    tail -n 40 "$KAFKA_LOGS/server.log" 2>/dev/null || true
  } >&2
}

start_kafka() {
  local jvm_opts
  # shellcheck disable=SC2206 # HEAP_OPTS is a list of JVM flags
  jvm_opts=($HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true
    "-Dlog4j2.configurationFile=$KAFKA_DIR/log4j2.xml" "-Dkafka.logs.dir=$KAFKA_LOGS")
  : >"$KAFKA_OUT"
  # setsid: the broker outlives this script and the shell's process group; the inner shell
  # writes its own pid, then execs java, so the pid file holds the JVM's pid.
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$KAFKA_PID_FILE" \
    java "${jvm_opts[@]}" -cp "$KAFKA_CP" kafka.Kafka "$KAFKA_DIR/server.properties" \
    >>"$KAFKA_OUT" 2>&1 </dev/null &
  local i
  for i in $(seq 50); do [[ -s "$KAFKA_PID_FILE" ]] && break; sleep 0.1; done
}

wait_for_kafka() {
  local t0 deadline
  t0="$(now)"
  deadline=$((t0 + START_TIMEOUT))
  while :; do
    if [[ -s "$KAFKA_PID_FILE" ]] && ! pid_alive "$KAFKA_PID_FILE" kafka.Kafka; then
      show_broker_log_tail
      rm -f "$KAFKA_PID_FILE"
      die "the Kafka broker exited during start-up (logs in $KAFKA_LOGS)"
    fi
    if port_open "$HOST" "$KAFKA_PORT" && broker_answers; then
      log "Kafka answers on $HOST:$KAFKA_PORT ($(($(now) - t0)) s after start)"
      return
    fi
    if (($(now) >= deadline)); then
      show_broker_log_tail
      die "Kafka did not answer on $HOST:$KAFKA_PORT within ${START_TIMEOUT}s (pid $(cat "$KAFKA_PID_FILE" 2>/dev/null || echo '?'), logs in $KAFKA_LOGS)"
    fi
    sleep 1
  done
}

ensure_kafka() {
  if port_open "$HOST" "$KAFKA_PORT" && ! pid_alive "$KAFKA_PID_FILE" kafka.Kafka; then
    log "something already listens on $HOST:$KAFKA_PORT: leaving it alone (not started by this script)"
    return
  fi
  resolve_classpath
  write_kafka_config
  if pid_alive "$KAFKA_PID_FILE" kafka.Kafka; then
    if port_open "$HOST" "$KAFKA_PORT" && broker_answers; then
      log "Kafka already running (pid $(cat "$KAFKA_PID_FILE")) and answering on $HOST:$KAFKA_PORT"
      return
    fi
    log "Kafka already starting (pid $(cat "$KAFKA_PID_FILE")): waiting for it"
    wait_for_kafka
    return
  fi
  rm -f "$KAFKA_PID_FILE"
  if port_open "$HOST" "$CONTROLLER_PORT"; then
    die "$HOST:$CONTROLLER_PORT (the KRaft controller port) is taken by another process"
  fi
  format_storage_once
  start_kafka
  log "started Kafka (pid $(cat "$KAFKA_PID_FILE"), heap $HEAP_OPTS, logs in $KAFKA_LOGS)"
  wait_for_kafka
  started+=("kafka (pid $(cat "$KAFKA_PID_FILE"), $HOST:$KAFKA_PORT)")
}

redis_answers() {
  [[ "$(timeout 2 redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null)" == "PONG" ]]
}

ensure_redis() {
  if command -v redis-cli >/dev/null && redis_answers; then
    if pid_alive "$REDIS_PID_FILE" redis-server; then
      log "Redis (started earlier by this script, pid $(cat "$REDIS_PID_FILE")) answers on $HOST:$REDIS_PORT"
    else
      log "Redis already answers on $HOST:$REDIS_PORT: leaving it alone"
    fi
    return
  fi
  command -v redis-server >/dev/null || die "Redis does not answer on $HOST:$REDIS_PORT and redis-server is not installed (Debian package: redis-server)"
  if port_open "$HOST" "$REDIS_PORT"; then
    die "$HOST:$REDIS_PORT is open but does not answer a Redis PING"
  fi
  mkdir -p "$REDIS_DIR"
  rm -f "$REDIS_PID_FILE"
  redis-server --daemonize yes --bind "$HOST" --port "$REDIS_PORT" --save "" --appendonly no \
    --dir "$REDIS_DIR" --pidfile "$REDIS_PID_FILE" --logfile "$REDIS_DIR/redis.log"
  local i
  for i in $(seq 100); do redis_answers && break; sleep 0.1; done
  redis_answers || {
    tail -n 30 "$REDIS_DIR/redis.log" >&2 || true
    die "Redis did not answer on $HOST:$REDIS_PORT after start"
  }
  for i in $(seq 20); do [[ -s "$REDIS_PID_FILE" ]] && break; sleep 0.1; done
  started+=("redis (pid $(cat "$REDIS_PID_FILE" 2>/dev/null || echo '?'), $HOST:$REDIS_PORT)")
  log "started Redis on $HOST:$REDIS_PORT"
}

mkdir -p "$STATE_DIR"
ensure_kafka
ensure_redis

if ((${#started[@]})); then
  log "started: ${started[*]}"
else
  log "nothing to start: Kafka and Redis already answer"
fi
log "KAFKA_BROKERS=$HOST:$KAFKA_PORT REDIS_URL=redis://$HOST:$REDIS_PORT"
