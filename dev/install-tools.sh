#!/usr/bin/env bash
# Installs the pinned local services into a per-user cache and points .tools/ at it.
# Idempotent: a second run (or a fresh clone on the same machine) reuses what is built.
# Sources: the Go module proxy (go install) and Maven Central (mvn). Nothing is downloaded from a website.
set -euo pipefail

TEMPORAL_CLI_VERSION=v1.5.1      # v1.6.0+ carries a replace directive that breaks `go install`
STRIPE_MOCK_VERSION=v0.197.0
ELASTICMQ_VERSION=1.7.1          # keep in step with dev/elasticmq/pom.xml

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${COMPOUND_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/compound/tools}
mkdir -p "$cache/bin"
if [ ! -e "$root/.tools" ]; then ln -s "$cache" "$root/.tools"; fi

log() { echo "install-tools: $*" >&2; }
need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  log "$1 is required to build $2 but is not installed. $3"
  exit 1
}

# Temporal CLI (its `server start-dev` is a full Temporal server with SQLite and the Web UI).
if [ -x "$cache/bin/temporal" ] && [ -f "$cache/bin/.temporal-$TEMPORAL_CLI_VERSION" ]; then
  :
elif existing=$(command -v temporal 2>/dev/null) && [ -n "$existing" ] && [ "$existing" != "$cache/bin/temporal" ]; then
  log "using the Temporal CLI already on PATH: $existing"
  ln -sf "$existing" "$cache/bin/temporal"
  touch "$cache/bin/.temporal-$TEMPORAL_CLI_VERSION"
else
  need go "the Temporal CLI" "Install Go >= 1.25, or install the Temporal CLI yourself (brew install temporal) and re-run."
  log "building the Temporal CLI $TEMPORAL_CLI_VERSION with go install (a few minutes, once per machine)"
  GOBIN="$cache/bin" GOFLAGS=-mod=mod go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION"
  touch "$cache/bin/.temporal-$TEMPORAL_CLI_VERSION"
fi

# stripe-mock: Stripe's official stateless mock, for request-shape conformance tests.
if [ ! -x "$cache/bin/stripe-mock" ] || [ ! -f "$cache/bin/.stripe-mock-$STRIPE_MOCK_VERSION" ]; then
  need go "stripe-mock" "Install Go, or skip: only the conformance test needs stripe-mock."
  log "building stripe-mock $STRIPE_MOCK_VERSION with go install"
  GOBIN="$cache/bin" go install "github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION"
  touch "$cache/bin/.stripe-mock-$STRIPE_MOCK_VERSION"
fi

# ElasticMQ: a real SQS-compatible server, run from its Maven Central jars.
emq="$cache/elasticmq-$ELASTICMQ_VERSION"
if [ ! -f "$emq/.complete" ]; then
  need mvn "ElasticMQ" "Install Maven (and Java 17+), or run ElasticMQ another way and set COMPOUND_SQS_ENDPOINT."
  log "fetching ElasticMQ $ELASTICMQ_VERSION jars from Maven Central"
  rm -rf "$emq"
  mvn -q -B -f "$root/dev/elasticmq/pom.xml" dependency:copy-dependencies -DoutputDirectory="$emq/lib"
  touch "$emq/.complete"
fi
ln -sfn "$emq" "$cache/elasticmq"

command -v java >/dev/null 2>&1 || log "warning: java is not on PATH; ElasticMQ needs Java 17+"
log "tools ready in $cache (linked from .tools)"
