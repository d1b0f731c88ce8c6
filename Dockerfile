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
RUN apt-get update && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home /app agentstream
WORKDIR /app
COPY --from=build /src/target/agentstream.jar agentstream.jar
USER agentstream
ENV PORT=8080 \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError --enable-native-access=ALL-UNNAMED"
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${PORT}/api/health" >/dev/null || exit 1
ENTRYPOINT ["java", "-jar", "/app/agentstream.jar"]
