#!/usr/bin/env bash
# Measures the Spark job as the local backend runs it (child JVMs): rows/s per step and fixed overhead.
# Usage: spark-jobs/bin/benchmark.sh 1000000,10000000 [driver heap, default 6g]
# S3: the job's own variables (SNAPFLOW_S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) and
# SNAPFLOW_BENCH_BUCKET when set; otherwise the benchmark starts the local stack (S3Proxy) for itself.
# SNAPFLOW_BENCH_JVM_OPTIONS: extra options for every job JVM (JFR, -Dspark.master=local[1], -Dspark.* overrides);
# SNAPFLOW_BENCH_COMPACT=false skips the compact step; SNAPFLOW_BENCH_AGAIN=clean|aggregate reruns that step on the
# same input with SNAPFLOW_BENCH_AGAIN_JVM_OPTIONS added (an A/B of one setting).
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -B -q -pl spark-jobs -am install -DskipTests
./mvnw -B -q -pl spark-jobs dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/spark-jobs/target/bench-classpath.txt"
JAVA="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
exec "$JAVA" -Xmx2g -cp "spark-jobs/target/test-classes:spark-jobs/target/classes:$(cat spark-jobs/target/bench-classpath.txt)" \
  -Dsnapflow.bench.jvmOptions="${SNAPFLOW_BENCH_JVM_OPTIONS:-}" -Dsnapflow.bench.compact="${SNAPFLOW_BENCH_COMPACT:-true}" \
  -Dsnapflow.bench.again="${SNAPFLOW_BENCH_AGAIN:-}" -Dsnapflow.bench.againJvmOptions="${SNAPFLOW_BENCH_AGAIN_JVM_OPTIONS:-}" \
  -Dsnapflow.spark-jobs.dir=spark-jobs -Dsnapflow.job.jar="$(ls spark-jobs/target/spark-jobs-*.jar | grep -v original)" \
  dev.snapflow.spark.JobBenchmark "$@"
