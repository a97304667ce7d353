# Multi-stage build of the Schemaforge server (and the CLI).
#   docker build -t schemaforge .
#   docker run --rm -p 8080:8080 -e DATABASE_URL=postgres://... \
#       -e SCHEMAFORGE__AUTH__JWT_SECRET=... \
#       -e SCHEMAFORGE__PROVISIONING__ENCRYPTION_KEY="$(openssl rand -base64 32)" schemaforge
FROM rust:1-slim-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev libclang-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p schemaforge-server -p schemaforge-cli

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home schemaforge
WORKDIR /app
COPY --from=build /src/target/release/schemaforge-server /usr/local/bin/schemaforge-server
COPY --from=build /src/target/release/schemaforge /usr/local/bin/schemaforge
COPY config ./config
ENV SCHEMAFORGE_ENV=production \
    SCHEMAFORGE_CONFIG_DIR=/app/config
USER schemaforge
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/api/v1/health || exit 1
ENTRYPOINT ["schemaforge-server"]
