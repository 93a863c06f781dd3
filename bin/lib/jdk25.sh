# Finds a JDK 25 (or newer) and exports JAVA_HOME. Sourced by ./mvnw and bin/snapflow, so that
# both work on a machine whose default `java` is older without anyone setting JAVA_HOME.
# Override the search with SNAPFLOW_JDK_DIRS="dir1 dir2".

snapflow_java_major() {
  # The release file is cheaper than starting a JVM just to ask its version.
  [ -f "$1/release" ] && [ -x "$1/bin/java" ] || return 1
  sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release"
}

snapflow_is_jdk25() {
  major=$(snapflow_java_major "$1") || return 1
  [ -n "$major" ] && [ "$major" -ge 25 ] && [ -x "$1/bin/javac" ]
}

snapflow_use_jdk25() {
  if [ -n "${JAVA_HOME-}" ] && snapflow_is_jdk25 "$JAVA_HOME"; then
    return 0
  fi
  for candidate in ${SNAPFLOW_JDK_DIRS:-/usr/lib/jvm/*25* /usr/lib/jvm/* /usr/local/lib/jvm/* /opt/java/* /opt/jdk*}; do
    if snapflow_is_jdk25 "$candidate"; then
      JAVA_HOME=$candidate
      export JAVA_HOME
      return 0
    fi
  done
  echo "Snapflow needs JDK 25 or newer, and none was found in JAVA_HOME${JAVA_HOME:+ ($JAVA_HOME)} or /usr/lib/jvm: install Temurin 25 (apt install temurin-25-jdk) or point JAVA_HOME at one." >&2
  return 1
}
