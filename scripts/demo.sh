#!/usr/bin/env bash
# The end-to-end demo behind `make demo`: loads the sample township, starts
# `liuhen serve`, streams one meeting from headless Chromium through the
# meeting-room page with real meeting audio, marks two agenda items, ends
# the session, runs `liuhen verify` and says where the recording is.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -f .liuhen/env ] || scripts/services.sh up
# shellcheck disable=SC1091
. .liuhen/env
export LIUHEN_LISTEN="${LIUHEN_DEMO_LISTEN:-127.0.0.1:8089}"
export LIUHEN_SPOOL_DIR="${LIUHEN_SPOOL_DIR:-.liuhen/spool}"
seconds="${LIUHEN_DEMO_SECONDS:-30}"
bin=bin/liuhen
url="http://$LIUHEN_LISTEN"

[ -x "$bin" ] || go build -o "$bin" ./cmd/liuhen
go build -o bin/liuhen-demo ./scripts/demo

echo "== loading the sample township"
$bin migrate
sample_out=$($bin sample)
echo "$sample_out"
meeting=$(sed -n 's/.*meeting to record: \([0-9]*\).*/\1/p' <<<"$sample_out")
[ -n "$meeting" ] || { echo "demo: the sample did not name a meeting to record" >&2; exit 1; }

echo "== starting liuhen serve on $url (log: .liuhen/demo-serve.log)"
$bin serve >.liuhen/demo-serve.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -fsS "$url/healthz" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { cat .liuhen/demo-serve.log >&2; exit 1; }
  sleep 0.5
done
curl -fsS "$url/healthz" >/dev/null || { echo "demo: the server did not come up" >&2; exit 1; }

token=$($bin token --meeting "$meeting" 2>/dev/null)

echo "== recording meeting $meeting from the meeting-room page"
bin/liuhen-demo -url "$url" -meeting "$meeting" -token "$token" \
  -audio testdata/media/EN2002a_30s.wav -seconds "$seconds"

echo
echo "== liuhen verify"
status=0
$bin verify || status=$?

echo
echo "== a compliance report of the township, issued into the evidence store"
$bin report --unit qingshan --store -o .liuhen/demo-report.html
echo "written to .liuhen/demo-report.html (open it in a browser; it prints on A4)"

echo
echo "== where the recording is"
recordings=$($bin recordings --meeting "$meeting")
echo "$recordings"
recording=$(awk '$1 ~ /^[0-9]+$/ && $2 ~ /^(finished|interrupted)$/ {r = $1} END {print r}' \
  <<<"$recordings")

# The viewing copy (one MP4 for any browser) is made by the server's River
# job once the recording has ended; wait for it before stopping the server.
copy=""
for _ in $(seq 1 180); do
  copy=$(curl -fsS -H "Authorization: Bearer $LIUHEN_ADMIN_TOKEN" \
    "$url/api/v1/recordings/$recording/viewing-copy" 2>/dev/null || true)
  grep -q '"state":"done"' <<<"$copy" && break
  grep -q '"state":"failed"' <<<"$copy" && break
  sleep 1
done
link=$(sed -n 's/.*"url":"\([^"]*\)".*/\1/p' <<<"$copy" | sed 's/\\u0026/\&/g')
echo
if [ -n "$link" ]; then
  echo "Viewing copy of recording $recording (H.264/AAC MP4, link valid one hour):"
  echo "  $link"
else
  echo "The viewing copy of recording $recording is not made yet; the server makes it at"
  echo "its next start: GET /api/v1/recordings/$recording/viewing-copy then links it."
fi
cat <<EOT

The segments above are WebM files (VP8 video from Chromium's fake camera,
Opus audio from the AMI meeting clip) in MinIO under object lock. Each line
has a presigned link valid for one hour: open it in a browser, or play it
with \`ffplay URL\`. \`$bin verify --rehash\` reads every segment back and
checks its SHA-256.

The demo's server has stopped. To try the meeting-room page yourself:
  . .liuhen/env && LIUHEN_LISTEN=$LIUHEN_LISTEN $bin serve
and open $url/room/$meeting#token=$token
(the token is valid for 12 hours).
EOT
exit 0
