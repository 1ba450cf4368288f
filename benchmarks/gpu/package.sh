#!/usr/bin/env bash
# Assembles .device/ (git-ignored) for the GPU machine, which has no Java: a jlink runtime and the jars
# the GPU tests need (horkd-core with its native library, its test classes, JavaCPP, SLF4J and the JUnit
# console launcher; no ND4J). Run it here, then pass carry [".device"] to the device tool.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
mvn -B -q -ntp -DskipTests -pl java/core -am install
rm -rf .device
mkdir -p .device/jars
cp java/core/target/horkd-core-*-SNAPSHOT.jar java/core/target/horkd-core-*-SNAPSHOT-tests.jar .device/jars/
for artifact in org.bytedeco:javacpp:1.5.7 org.slf4j:slf4j-api:2.0.16 org.slf4j:slf4j-simple:2.0.16 \
    org.junit.platform:junit-platform-console-standalone:1.11.4; do
  mvn -B -q -ntp dependency:copy -Dartifact="$artifact" -DoutputDirectory=.device/jars
done
jlink --add-modules java.base,java.logging,java.management,java.xml,jdk.unsupported,jdk.zipfs \
  --strip-debug --no-man-pages --no-header-files --compress=2 --output .device/jre
du -sh .device/jre .device/jars
echo "carry .device (under the device tool's 64 MiB limit with the working tree)" >&2
