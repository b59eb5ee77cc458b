# Liuhen and the MinIO server it stores evidence in, for docker-compose.yml.
#   docker build -t liuhen .                 the service (default target)
#   docker build --target minio -t liuhen-minio .
# FFmpeg stays at 5.1, the version Debian 12 (bookworm) ships and
# go-astiav v0.16.0 builds against. Chromium and a Chinese font print PDF
# reports.

FROM golang:1.26-bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libavcodec-dev libavformat-dev libavfilter-dev libavutil-dev \
      libswresample-dev libswscale-dev libavdevice-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -o /out/liuhen ./cmd/liuhen

# The same MinIO server the tests run against (scripts/deps.sh).
FROM golang:1.26-bookworm AS minio-build
RUN GOBIN=/out go install github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c

FROM debian:bookworm-slim AS minio
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
COPY --from=minio-build /out/minio /usr/local/bin/minio
EXPOSE 9000 9001
VOLUME /data
ENTRYPOINT ["minio"]
CMD ["server", "/data", "--address", ":9000", "--console-address", ":9001"]

FROM debian:bookworm-slim AS liuhen
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates curl ffmpeg chromium fonts-wqy-microhei \
      libavcodec59 libavformat59 libavfilter8 libavutil57 \
      libswresample4 libswscale6 libavdevice59 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /var/lib/liuhen --create-home liuhen \
 && install -d -o liuhen -g liuhen /var/lib/liuhen/spool \
 && install -d -m 700 -o liuhen -g liuhen /var/lib/liuhen/keys
COPY --from=build /out/liuhen /usr/local/bin/liuhen
USER liuhen
WORKDIR /var/lib/liuhen
EXPOSE 8080 8443/udp
ENTRYPOINT ["liuhen"]
CMD ["serve"]
