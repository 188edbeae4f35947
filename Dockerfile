# syntax=docker/dockerfile:1
# The Redkit server image: built from source with Maven and JDK 17, run on a JRE 17 as a non-root user.
#
#   docker build -t redkit-server .
#   docker run --rm -p 8080:8080 -e REDIS_URL=redis://... -e DATABASE_URL=postgresql://... redkit-server
#
# deploy/docker-compose.redis.yml builds and runs it next to Redis and PostgreSQL.

# --- build ------------------------------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# .dockerignore keeps target/, .git and local env files out of the context
COPY . .
# the Maven cache survives between builds (BuildKit); tests run in CI, not in the image build
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -ntp -q -DskipTests -pl redkit-server -am package \
 && cp redkit-server/target/redkit-server.jar /redkit-server.jar

# --- run --------------------------------------------------------------------------------------
FROM eclipse-temurin:17-jre
# a system user without a login shell or password owns nothing but its home
RUN groupadd --system redkit \
 && useradd --system --gid redkit --home-dir /opt/redkit --no-create-home --shell /usr/sbin/nologin redkit \
 && mkdir -p /opt/redkit \
 && chown redkit:redkit /opt/redkit
WORKDIR /opt/redkit
COPY --from=build --chown=root:root --chmod=0644 /redkit-server.jar /opt/redkit/redkit-server.jar
USER redkit
ENV PORT=8080
EXPOSE 8080
# ready = every Redis namespace and the database answer (GET /health/ready is 200, else 503);
# bash's /dev/tcp needs no curl in the image
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/ready HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
# exec form: java is PID 1 and gets SIGTERM directly for a graceful shutdown;
# JVM options go in JAVA_TOOL_OPTIONS (e.g. -XX:MaxRAMPercentage=75)
ENTRYPOINT ["java", "-jar", "/opt/redkit/redkit-server.jar"]
CMD ["serve"]
