# Liuhen: build, test services and the test run. `make test` is what CI runs.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

GO ?= go
ENV_FILE := .liuhen/env

.PHONY: all deps services stop build vet test demo

all: build

## deps: install the Debian packages and the MinIO binary that are missing
deps:
	scripts/deps.sh

## services: start PostgreSQL and MinIO on 127.0.0.1, write .liuhen/env
services: deps
	scripts/services.sh up

## stop: stop the services that `make services` started
stop:
	scripts/services.sh down

## build: the liuhen binary in bin/
build:
	$(GO) build -o bin/liuhen ./cmd/liuhen

vet:
	$(GO) vet ./...

## test: vet and every test against the real services; no race detector
## (cgo with FFmpeg and timing-sensitive media tests make -race too slow)
test: services vet
	. $(ENV_FILE) && $(GO) test -count=1 -timeout 45m ./...

## demo: a recorded meeting end to end (scripts/demo.sh)
demo: services build
	. $(ENV_FILE) && scripts/demo.sh
