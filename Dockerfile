# Multi-stage build of the schemaforge CLI.
#   docker build -t schemaforge .
#   docker run --rm -i schemaforge validate - < examples/blog.json
FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p schemaforge-cli

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --no-create-home schemaforge
COPY --from=build /src/target/release/schemaforge /usr/local/bin/schemaforge
USER schemaforge
ENTRYPOINT ["schemaforge"]
CMD ["--help"]
