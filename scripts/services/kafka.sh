#!/usr/bin/env bash
# Apache Kafka for local runs and tests: ONE KRaft node (broker and controller in one JVM), run
# with `java` from the Maven Central jars (org.apache.kafka:kafka_2.13 and its runtime
# dependencies), bound to 127.0.0.1 only. No Docker, no download other than Maven's.
#
#   scripts/services/kafka.sh install        fetch the jars with Maven, only when they are missing
#   scripts/services/kafka.sh start  [PORT]  start a node (default port 9092, controller PORT+1000)
#   scripts/services/kafka.sh stop   [PORT]  SIGTERM (clean shutdown), SIGKILL after a timeout
#   scripts/services/kafka.sh status [PORT]  exit 0 when it runs and accepts connections, 3 when not
#   scripts/services/kafka.sh reset  [PORT]  stop it and delete its data (topics, offsets, config)
#
# Jars: $VIGIL_SERVICES_DIR/kafka/VERSION/libs ($VIGIL_SERVICES_DIR defaults to
# ~/.cache/vigil-services), shared by every work tree. Each node keeps its config, pid, log and
# data in $VIGIL_STATE_DIR/kafka-PORT ($VIGIL_STATE_DIR defaults to <repo>/.vigil); its data
# persists across stop and start until `reset`.
#
# `install` also starts and stops one throwaway node so the JVM can archive the classes Kafka
# loads (class data sharing, in the libs dir): later starts take less CPU (docs/measurements.md).
#
# Environment: VIGIL_KAFKA_VERSION (default 3.9.2; a 3.x release: 4.x wants log4j2 and another
# SLF4J binding), VIGIL_KAFKA_START_TIMEOUT (seconds, 90), VIGIL_KAFKA_STOP_TIMEOUT (seconds, 30),
# VIGIL_KAFKA_HEAP_OPTS (-Xms256m -Xmx512m), VIGIL_KAFKA_AUTO_CREATE_TOPICS (false: clients create
# their topics), VIGIL_KAFKA_CDS (1; 0 turns the class archive off).
set -euo pipefail

readonly CONTROLLER_OFFSET=1000
readonly SERVICE=kafka DEFAULT_PORT=9092 MAX_PORT=$((65535 - CONTROLLER_OFFSET))
readonly PORT_NOTE="; the controller listens on PORT+$CONTROLLER_OFFSET"
readonly USAGE='install|start [PORT]|stop [PORT]|status [PORT]|reset [PORT]'
# shellcheck source=scripts/services/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
readonly KAFKA_VERSION="${VIGIL_KAFKA_VERSION:-3.9.2}"
readonly SCALA_BINARY=2.13
# The SLF4J binding Kafka 3.x ships in its own distribution (kafka_2.13 leaves it to the user).
readonly SLF4J_BINDING=org.slf4j:slf4j-reload4j:1.7.36
readonly DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1
readonly START_TIMEOUT_S="${VIGIL_KAFKA_START_TIMEOUT:-90}"
readonly STOP_TIMEOUT_S="${VIGIL_KAFKA_STOP_TIMEOUT:-30}"
readonly HEAP_OPTS="${VIGIL_KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
readonly AUTO_CREATE_TOPICS="${VIGIL_KAFKA_AUTO_CREATE_TOPICS:-false}"
readonly SERVICES_DIR="${VIGIL_SERVICES_DIR:-${HOME:-/root}/.cache/vigil-services}"
readonly KAFKA_HOME="$SERVICES_DIR/kafka/$KAFKA_VERSION"
readonly LIBS_DIR="$KAFKA_HOME/libs"

# Sets JAVA_MAJOR (17 for Java 17, 1 for Java 8; empty without java) and JAVA_VM_VERSION.
JAVA_MAJOR=''
JAVA_VM_VERSION=''
read_java_version() {
  JAVA_MAJOR=''
  JAVA_VM_VERSION=''
  command -v java >/dev/null 2>&1 || return 0
  local props
  props="$(java -XshowSettings:properties -version 2>&1)" || return 0
  JAVA_MAJOR="$(awk -F'= ' '/java.specification.version/ { split($2, v, "."); print v[1]; exit }' <<<"$props")"
  JAVA_VM_VERSION="$(awk -F'= ' '/java.vm.version/ { print $2; exit }' <<<"$props")"
}

java_ok() {
  read_java_version
  [[ "$JAVA_MAJOR" =~ ^[0-9]+$ ]] && ((JAVA_MAJOR >= 17))
}

installed() {
  [[ -f "$LIBS_DIR/.complete" && -f "$LIBS_DIR/kafka_$SCALA_BINARY-$KAFKA_VERSION.jar" ]]
}

require_installed() {
  java_ok || die "Java 17 or newer is not on PATH (found: '${JAVA_MAJOR:-none}'); run: bash scripts/services/kafka.sh install"
  installed || die "Kafka $KAFKA_VERSION jars are not in $LIBS_DIR; run: bash scripts/services/kafka.sh install"
}

# True when PID is a Kafka node (java ... kafka.Kafka CONFIG), optionally with this CONFIG.
is_kafka_pid() {
  local cmdline
  cmdline="$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null)" || return 1
  [[ "$cmdline" == *" kafka.Kafka "* && "$cmdline" == *"${2:-}"* ]]
}

# The pid from this node's pidfile, when that process is alive and is this node.
live_pid() {
  local dir pid
  dir="$(state_dir "$1")"
  [[ -f "$dir/kafka.pid" ]] || return 1
  pid="$(<"$dir/kafka.pid")"
  [[ "$pid" =~ ^[0-9]+$ ]] && pid_alive "$pid" && is_kafka_pid "$pid" "$dir/server.properties" || return 1
  echo "$pid"
}

# The pid of a Kafka node listening on 127.0.0.1:PORT that was not started from our state dir.
foreign_kafka_pid() {
  command -v ss >/dev/null 2>&1 || return 1
  local pid
  pid="$(ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2)"
  [[ -n "$pid" ]] && is_kafka_pid "$pid" && echo "$pid"
}

cmd_install() {
  if ! java_ok; then
    apt_install openjdk-17-jre-headless
    java_ok || die "installed openjdk-17-jre-headless but 'java' on PATH is still not Java 17+"
  fi
  if installed && cds_ready; then
    log "Kafka $KAFKA_VERSION already installed in $LIBS_DIR (java $JAVA_VM_VERSION)"
    return 0
  fi
  mkdir -p "$KAFKA_HOME"
  lock "$KAFKA_HOME/.install.lock"
  installed || fetch_jars
  cds_ready || build_cds_archive
}

# True when there is nothing to archive: class data sharing is off, or its archive exists.
cds_ready() {
  [[ "${VIGIL_KAFKA_CDS:-1}" == 0 || -s "$(cds_archive)" ]]
}

# A free pair of ports (PORT and PORT+1000) on 127.0.0.1 for a throwaway node.
free_port() {
  local port _
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 30000))
    if ! port_open "$port" && ! port_open $((port + CONTROLLER_OFFSET)); then
      echo "$port"
      return 0
    fi
  done
  return 1
}

# Starts and stops a throwaway node so that it writes the class archive every later start uses.
# Only an optimization: when it fails, starts are slower, nothing else.
build_cds_archive() {
  local port scratch self
  self="${BASH_SOURCE[0]}"
  port="$(free_port)" || {
    echo "kafka.sh: no free port for the class-archive run; skipped it (starts will be slower)" >&2
    return 0
  }
  scratch="$(mktemp -d "${TMPDIR:-/tmp}/vigil-kafka-cds.XXXXXX")"
  log "archiving the classes a node loads (one throwaway start and stop on 127.0.0.1:$port)"
  if VIGIL_STATE_DIR="$scratch" bash "$self" start "$port" >"$scratch/run.log" 2>&1 &&
    VIGIL_STATE_DIR="$scratch" bash "$self" stop "$port" >>"$scratch/run.log" 2>&1 && cds_ready; then
    echo "kafka.sh: wrote $(cds_archive) ($(du -sh "$(cds_archive)" | cut -f1))"
  else
    VIGIL_STATE_DIR="$scratch" bash "$self" stop "$port" >/dev/null 2>&1 || true
    echo "kafka.sh: the class-archive run failed (starts will be slower); its output:" >&2
    tail -n 20 "$scratch/run.log" >&2 || true
  fi
  rm -rf "$scratch"
}

fetch_jars() {
  command -v mvn >/dev/null 2>&1 || apt_install maven
  command -v mvn >/dev/null 2>&1 || die "installed maven but 'mvn' is still not on PATH"

  log "fetching org.apache.kafka:kafka_$SCALA_BINARY:$KAFKA_VERSION and its runtime dependencies with Maven"
  local work
  work="$(mktemp -d "$KAFKA_HOME/.install.XXXXXX")"
  # shellcheck disable=SC2064 # expand now: $work is local
  trap "rm -rf '$work'" EXIT
  local binding_group binding_artifact binding_version
  IFS=: read -r binding_group binding_artifact binding_version <<<"$SLF4J_BINDING"
  cat >"$work/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by scripts/services/kafka.sh: the jars of one Kafka node. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>vigil.services</groupId>
  <artifactId>kafka-node</artifactId>
  <version>$KAFKA_VERSION</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_$SCALA_BINARY</artifactId>
      <version>$KAFKA_VERSION</version>
    </dependency>
    <dependency>
      <groupId>$binding_group</groupId>
      <artifactId>$binding_artifact</artifactId>
      <version>$binding_version</version>
    </dependency>
  </dependencies>
</project>
EOF
  if ! mvn -B -q -f "$work/pom.xml" "$DEPENDENCY_PLUGIN:copy-dependencies" \
    -DincludeScope=runtime -DoutputDirectory="$work/libs" >"$work/mvn.log" 2>&1; then
    echo "kafka.sh: Maven could not fetch Kafka $KAFKA_VERSION; its output:" >&2
    tail -n 40 "$work/mvn.log" >&2
    exit 1
  fi
  [[ -f "$work/libs/kafka_$SCALA_BINARY-$KAFKA_VERSION.jar" ]] ||
    die "Maven finished but kafka_$SCALA_BINARY-$KAFKA_VERSION.jar is not among the fetched jars"
  touch "$work/libs/.complete"
  rm -rf "$LIBS_DIR"
  mv "$work/libs" "$LIBS_DIR"
  echo "kafka.sh: installed Kafka $KAFKA_VERSION ($(find "$LIBS_DIR" -name '*.jar' | wc -l) jars, $(du -sh "$LIBS_DIR" | cut -f1)) in $LIBS_DIR"
}

write_config() {
  local port="$1" dir="$2" cport=$(($1 + CONTROLLER_OFFSET))
  cat >"$dir/server.properties" <<EOF
# Written by scripts/services/kafka.sh at each start; edits here are lost.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=3
auto.create.topics.enable=$AUTO_CREATE_TOPICS
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
group.initial.rebalance.delay.ms=0
# After a SIGKILL the restarted controller still counts the dead incarnation as alive until its
# session expires, and refuses the new one's registration meanwhile: keep that wait short.
broker.heartbeat.interval.ms=500
broker.session.timeout.ms=3000
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=168
EOF
  cat >"$dir/log4j.properties" <<'EOF'
# Written by scripts/services/kafka.sh: warnings and errors, plus the node's start and stop lines.
log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaRaftServer=INFO
log4j.logger.kafka.server.BrokerServer=INFO
log4j.logger.kafka.server.ControllerServer=INFO
EOF
}

# Formats the data dir with a fresh cluster id, once.
format_storage() {
  local dir="$1"
  [[ -f "$dir/data/meta.properties" ]] && return 0
  # A random Kafka Uuid (16 bytes, base64url without padding). Like Kafka's own Uuid.randomUuid,
  # never one that starts with '-', which the tool's argument parser would take for an option.
  local cluster_id=-
  while [[ "$cluster_id" == -* ]]; do
    cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  done
  java -cp "$LIBS_DIR/*" -Dlog4j.configuration="file:$dir/log4j.properties" \
    kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" --ignore-formatted \
    >"$dir/format.log" 2>&1 || {
    echo "kafka.sh: formatting $dir/data failed:" >&2
    tail -n 20 "$dir/format.log" >&2
    exit 1
  }
}

# Class data sharing: the classes a node loads while it starts, archived once per Java build into
# the libs dir, make every later start take less CPU (docs/measurements.md).
# A node started without the archive writes it when it stops cleanly (see cmd_stop); the JVM
# ignores an archive that no longer matches, silently. VIGIL_KAFKA_CDS=0 turns this off.
CDS_OPTS=()
cds_archive() {
  echo "$LIBS_DIR/kafka-${JAVA_VM_VERSION//[^A-Za-z0-9._-]/_}.jsa"
}
cds_options() {
  CDS_OPTS=()
  [[ "${VIGIL_KAFKA_CDS:-1}" != 0 ]] || return 0
  local archive
  archive="$(cds_archive)"
  if [[ -s "$archive" ]]; then
    CDS_OPTS=(-XX:SharedArchiveFile="$archive")
  else
    CDS_OPTS=(-XX:ArchiveClassesAtExit="$archive.$1.tmp")
  fi
  CDS_OPTS+=(-Xlog:cds=off -Xlog:cds+dynamic=off)
}

# After a clean stop, keeps the class archive the node wrote as it exited (if it wrote one).
keep_cds_archive() {
  local port="$1" clean="$2" tmp
  for tmp in "$LIBS_DIR"/kafka-*.jsa."$port".tmp; do
    [[ -f "$tmp" ]] || continue
    if ((clean)) && [[ -s "$tmp" && ! -s "${tmp%."$port".tmp}" ]]; then
      mv -f "$tmp" "${tmp%."$port".tmp}"
    else
      rm -f "$tmp"
    fi
  done
}

# True when the node started as PID accepts connections and has logged that it started; stops the
# script when that process has exited.
node_ready() {
  local port="$1" pid="$2" dir="$3"
  pid_alive "$pid" || fail_start "$dir" "Kafka exited while starting on 127.0.0.1:$port"
  port_open "$port" && grep -q 'Kafka Server started' "$dir/kafka.log" 2>/dev/null
}

fail_start() {
  local dir="$1"
  shift
  echo "kafka.sh: $*; last lines of $dir/kafka.log:" >&2
  tail -n 30 "$dir/kafka.log" >&2 2>/dev/null || true
  exit 1
}

cmd_start() {
  local port cport dir pid
  port="$(port_arg "${1:-}")"
  cport=$((port + CONTROLLER_OFFSET))
  require_installed
  dir="$(state_dir "$port")"
  mkdir -p "$dir"
  lock "$dir/.lock"

  if pid="$(live_pid "$port")"; then
    if port_open "$port"; then
      log "already running on 127.0.0.1:$port (pid $pid)"
      return 0
    fi
    echo "kafka.sh: pid $pid from $dir runs but does not accept connections; restarting it" >&2
    terminate "$pid" "$STOP_TIMEOUT_S" || true
  fi
  if pid="$(foreign_kafka_pid "$port")"; then
    log "a Kafka not started from $dir already runs on 127.0.0.1:$port (pid $pid); using it"
    return 0
  fi
  port_open "$port" && die "port $port on 127.0.0.1 is taken by something that is not this Kafka node; pick another port"
  port_open "$cport" && die "controller port $cport (PORT+$CONTROLLER_OFFSET) on 127.0.0.1 is taken; pick another port"

  write_config "$port" "$dir"
  format_storage "$dir"
  cds_options "$port"
  [[ -f "$dir/kafka.log" ]] && mv -f "$dir/kafka.log" "$dir/kafka.previous.log"
  rm -f "$dir/kafka.pid"
  # shellcheck disable=SC2086 # HEAP_OPTS is a list of JVM flags
  (cd "$dir" && exec setsid nohup java $HEAP_OPTS \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true "${CDS_OPTS[@]}" \
    -Dlog4j.configuration="file:$dir/log4j.properties" -Dkafka.logs.dir="$dir" \
    -cp "$LIBS_DIR/*" kafka.Kafka "$dir/server.properties" \
    </dev/null >"$dir/kafka.log" 2>&1 9>&-) &
  pid=$!
  echo "$pid" >"$dir/kafka.pid"

  if ! wait_for "$START_TIMEOUT_S" 0.2 node_ready "$port" "$pid" "$dir"; then
    terminate "$pid" "$STOP_TIMEOUT_S" || true
    rm -f "$dir/kafka.pid"
    fail_start "$dir" "Kafka was not ready on 127.0.0.1:$port within ${START_TIMEOUT_S}s (stopped it)"
  fi
  log "started on 127.0.0.1:$port (controller $cport, pid $pid, state in $dir)"
  echo "KAFKA_BROKERS=127.0.0.1:$port"
}

cmd_stop() {
  local port dir pid
  port="$(port_arg "${1:-}")"
  dir="$(state_dir "$port")"
  [[ -d "$dir" ]] && lock "$dir/.lock"
  if ! pid="$(live_pid "$port")"; then
    rm -f "$dir/kafka.pid"
    log "not running on port $port (no live pid in $dir)"
    return 0
  fi
  local clean=1
  terminate "$pid" "$STOP_TIMEOUT_S" || clean=0
  rm -f "$dir/kafka.pid"
  keep_cds_archive "$port" "$clean"
  log "stopped 127.0.0.1:$port (pid $pid)"
}

cmd_status() {
  local port dir pid
  port="$(port_arg "${1:-}")"
  dir="$(state_dir "$port")"
  if pid="$(live_pid "$port")"; then
    if port_open "$port"; then
      log "running on 127.0.0.1:$port (pid $pid, Kafka $KAFKA_VERSION, state in $dir)"
      return 0
    fi
    log "pid $pid from $dir runs but 127.0.0.1:$port does not accept connections (starting?)"
    exit 3
  fi
  if pid="$(foreign_kafka_pid "$port")"; then
    log "a Kafka runs on 127.0.0.1:$port (pid $pid, not started from $dir)"
    return 0
  fi
  log "not running on 127.0.0.1:$port"
  exit 3
}

cmd_reset() {
  local port dir
  port="$(port_arg "${1:-}")"
  dir="$(state_dir "$port")"
  cmd_stop "$port"
  rm -rf "$dir"
  log "deleted $dir (topics, offsets and config of the node on port $port)"
}

service_main "$@"
