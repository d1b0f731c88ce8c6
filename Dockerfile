# syntax=docker/dockerfile:1
# Build: Maven in a JDK image, dependencies cached in their own layer.
FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q dependency:go-offline
COPY src src
COPY db db
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q package -DskipTests

# Run: a JRE only, as an unprivileged user.
FROM eclipse-temurin:25-jre
# What the image is, for a rollback to name it: the release (the pom's version), the commit, and
# where its source lives. compose passes them (AGENTSTREAM_VERSION, GIT_REVISION, SOURCE_URL)
# and tags the image with the version; `docker inspect` shows them on any running container.
ARG VERSION=dev
ARG REVISION=unknown
ARG SOURCE=unknown
LABEL org.opencontainers.image.title="agentstream" \
      org.opencontainers.image.description="Ingestion and live streaming backend for agent CLIs" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}"
RUN apt-get update && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home /app agentstream
WORKDIR /app
COPY --from=build /src/target/agentstream.jar agentstream.jar
USER agentstream
# Memory as the budget in docs/architecture.md sets it: a 576 MB heap (10,000 streams, the replay
# ring, ingest bodies and one upload in progress, at their maxima), bounded direct memory,
# metaspace and code cache; the container's limit (docker-compose.yml: 1152m) holds their sum
# with headroom. For another size, set JAVA_TOOL_OPTIONS and the limits of the budget together.
ENV PORT=8080 \
    JAVA_TOOL_OPTIONS="-Xmx576m -XX:MaxDirectMemorySize=96m -XX:MaxMetaspaceSize=128m -XX:ReservedCodeCacheSize=96m -XX:+ExitOnOutOfMemoryError --enable-native-access=ALL-UNNAMED"
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${PORT}/api/health" >/dev/null || exit 1
ENTRYPOINT ["java", "-jar", "/app/agentstream.jar"]
