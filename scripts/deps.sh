#!/usr/bin/env bash
# Installs what Liuhen needs to build and test on Debian 12, and nothing that
# is already there:
#   - the FFmpeg 5.1 development packages and pkg-config (cgo, go-astiav)
#   - ffmpeg (the CLI; tests use ffprobe), chromium (browser tests and PDF
#     reports), curl, a Chinese font and poppler-utils (PDF reports and
#     their tests)
#   - PostgreSQL 15 (unless its binaries are in /usr/lib/postgresql/15/bin)
#   - the MinIO server binary, built once with `go install` and cached
#
# Usage:
#   scripts/deps.sh               install what is missing
#   scripts/deps.sh --print-minio print the MinIO binary path, or fail when
#                                 there is none (installs nothing)
#
# As root, missing Debian packages are installed with apt-get. As another
# user, the script prints the apt-get command to run and exits 1.
set -euo pipefail

readonly MINIO_MODULE=github.com/minio/minio
readonly MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
readonly PG_BIN=/usr/lib/postgresql/15/bin
readonly FFMPEG_DEV=(libavcodec-dev libavformat-dev libavfilter-dev libavutil-dev
	libswresample-dev libswscale-dev libavdevice-dev pkg-config)

minio_cache_dir="${XDG_CACHE_HOME:-$HOME/.cache}/liuhen/bin"

say() { printf 'deps: %s\n' "$*"; }
fail() {
	printf 'deps: %s\n' "$*" >&2
	exit 1
}

# package_installed tells whether dpkg has the package fully installed.
package_installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# missing_packages prints the Debian packages to install, one a line.
missing_packages() {
	local p
	for p in "${FFMPEG_DEV[@]}"; do
		package_installed "$p" || echo "$p"
	done
	command -v ffprobe >/dev/null || echo ffmpeg
	command -v chromium >/dev/null || echo chromium
	command -v curl >/dev/null || echo curl
	# Chinese glyphs for PDF reports, and pdftotext, which their tests read them with
	fc-list :lang=zh 2>/dev/null | grep -q . || echo fonts-wqy-microhei
	command -v pdftotext >/dev/null || echo poppler-utils
	[[ -x $PG_BIN/initdb && -x $PG_BIN/postgres ]] || echo postgresql
	return 0
}

install_packages() {
	local missing
	mapfile -t missing < <(missing_packages)
	if ((${#missing[@]} == 0)); then
		say "Debian packages: all present"
		return
	fi
	local cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing[*]}"
	if ((EUID != 0)); then
		fail "missing Debian packages: ${missing[*]}
run as root:
  $cmd"
	fi
	say "installing ${missing[*]}"
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
}

# find_minio prints the path of a usable MinIO binary, or fails.
find_minio() {
	if [[ -n ${LIUHEN_MINIO_BIN:-} ]]; then
		echo "$LIUHEN_MINIO_BIN"
		return
	fi
	if command -v minio >/dev/null; then
		command -v minio
		return
	fi
	if [[ -x $minio_cache_dir/minio ]]; then
		echo "$minio_cache_dir/minio"
		return
	fi
	return 1
}

install_minio() {
	local bin
	if bin=$(find_minio); then
		say "MinIO: $bin"
		return
	fi
	command -v go >/dev/null ||
		fail "Go is not on PATH; install Go 1.26 (https://go.dev/dl/) and run again"
	say "building the MinIO server into $minio_cache_dir"
	say "this takes about 5 minutes the first time; later runs reuse the binary"
	mkdir -p "$minio_cache_dir"
	# go install ignores the project's go.mod when given module@version.
	GOBIN="$minio_cache_dir" GOFLAGS= go install "$MINIO_MODULE@$MINIO_VERSION" ||
		fail "building MinIO failed; set LIUHEN_MINIO_BIN to a MinIO server binary instead"
	say "MinIO: $minio_cache_dir/minio"
}

main() {
	if [[ -n ${LIUHEN_MINIO_BIN:-} && ! -x $LIUHEN_MINIO_BIN ]]; then
		fail "LIUHEN_MINIO_BIN=$LIUHEN_MINIO_BIN is not an executable file; fix or unset it"
	fi
	case "${1:-}" in
	--print-minio)
		find_minio || fail "no MinIO server binary; run \`make deps\` (or scripts/deps.sh)"
		;;
	"")
		command -v dpkg-query >/dev/null ||
			fail "this script knows Debian 12 only; install the packages listed in README.md"
		install_packages
		install_minio
		;;
	*)
		fail "unknown argument $1; usage: scripts/deps.sh [--print-minio]"
		;;
	esac
}

main "$@"
