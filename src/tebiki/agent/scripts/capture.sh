#!/bin/sh
# tebiki capture script for macOS and Linux (POSIX sh; no Python needed).
#
#   sh capture.sh https://tebiki.example.jp/api/v1/ tbk_…token…  [owner] [company|byod]
#
# Runs a fixed set of read-only commands, keeps their raw output (the capture layout in docs/agent.md),
# and uploads it to your organisation's tebiki server, which evaluates it. Nothing is changed on this
# machine except a random device ID kept in ~/.local/state/tebiki/device-id. With TEBIKI_CAPTURE_ONLY=DIR
# set, it only writes the outputs into DIR and uploads nothing.
set -u
URL=${1:-}
TOKEN=${2:-${TEBIKI_TOKEN:-}}
OWNER=${3:-}
OWNERSHIP=${4:-unknown}
export LC_ALL=C LANG=C

if [ -z "${TEBIKI_CAPTURE_ONLY:-}" ] && { [ -z "$URL" ] || [ -z "$TOKEN" ]; }; then
  echo "usage: sh capture.sh API_URL TOKEN [OWNER] [company|byod]" >&2
  exit 2
fi

OUT=${TEBIKI_CAPTURE_ONLY:-$(mktemp -d 2>/dev/null || mktemp -d -t tebiki)}
case "$(uname -s)" in
  Darwin) OS=macos ;;
  *) OS=linux ;;
esac
mkdir -p "$OUT/$OS"

# run NAME COMMAND…: stdout (or stderr when stdout is empty) into $OUT/$OS/NAME, at most 60 kB, and a line
# "NAME exit=CODE lines=N stderr=0|1[ cut]" for exit-status.txt, so that the server can tell a command that
# ran and found nothing from one that failed or was cut short.
run() {
  name=$1; shift
  "$@" >"$OUT/$OS/$name.out" 2>"$OUT/$OS/$name.err"
  code=$?
  if [ -s "$OUT/$OS/$name.out" ]; then src="$OUT/$OS/$name.out"; else src="$OUT/$OS/$name.err"; fi
  head -c 60000 "$src" >"$OUT/$OS/$name"
  cut=""; [ "$(wc -c <"$src")" -gt 60000 ] && cut=" cut"
  err=0; [ -s "$OUT/$OS/$name.err" ] && err=1
  echo "$name exit=$code lines=$(awk 'END { print NR }' "$OUT/$OS/$name") stderr=$err$cut" >"$OUT/$OS/$name.status"
  rm -f "$OUT/$OS/$name.out" "$OUT/$OS/$name.err"
}

if [ "$OS" = linux ]; then
  run lsblk.json lsblk --json -o NAME,TYPE,FSTYPE,MOUNTPOINT &
  run ufw.txt ufw status verbose &
  run nft.txt nft list ruleset &
  run os-release.txt cat /etc/os-release &
  run apt-upgradable.txt apt -o Apt::Cmd::Disable-Script-Warning=true list --upgradable &
  run gsettings-lock.txt sh -c 'echo "session=${XDG_SESSION_TYPE:-none} desktop=${XDG_CURRENT_DESKTOP:-none}"; gsettings get org.gnome.desktop.screensaver lock-enabled; gsettings get org.gnome.desktop.session idle-delay; gsettings get org.gnome.desktop.screensaver lock-delay' &
  run ss-listen.txt ss -tulpnH &
  run clamav.txt clamscan --version &
  run samba.txt testparm -s --parameter-name="server min protocol" &
  run wifi.txt sh -c 'command -v nmcli >/dev/null 2>&1 || { echo "nmcli: not installed"; exit 0; }; out=$(nmcli -t -f ACTIVE,SECURITY device wifi list --rescan no 2>&1) || { echo "nmcli failed: $out"; exit 0; }; echo "$out" | grep "^yes:" || echo "no active Wi-Fi"' &
  VERSION=$(. /etc/os-release 2>/dev/null; echo "${PRETTY_NAME:-}")
else
  run fdesetup.txt fdesetup status &
  run socketfilterfw.txt /usr/libexec/ApplicationFirewall/socketfilterfw --getglobalstate &
  run softwareupdate.txt sh -c 'softwareupdate --list 2>&1' &
  run sw_vers.txt sw_vers &
  run screenlock.txt sh -c 'sysadminctl -screenLock status 2>&1; echo "idleTime=$(defaults -currentHost read com.apple.screensaver idleTime 2>&1)"' &
  run sharing.txt launchctl print-disabled system &
  run xprotect.txt sh -c 'echo "xprotect_version=$(defaults read /Library/Apple/System/Library/CoreServices/XProtect.bundle/Contents/Info.plist CFBundleShortVersionString 2>&1)"; echo "ConfigDataInstall=$(defaults read /Library/Preferences/com.apple.SoftwareUpdate ConfigDataInstall 2>&1)"' &
  run wifi.txt sh -c 'system_profiler SPAirPortDataType | awk '"'"'/^ *Status:/ {print "Status: " $2} /Current Network Information:/ {c=1; next} /Other Local Wi-Fi Networks:/ {c=0} c && /^ *Security:/ {sub(/^ *Security: */, ""); print "Security: " $0; c=0}'"'"'' &
  VERSION=$(sw_vers -productVersion 2>/dev/null)
fi
wait
cat "$OUT/$OS"/*.status >"$OUT/$OS/exit-status.txt"
rm -f "$OUT/$OS"/*.status

if [ -n "${TEBIKI_CAPTURE_ONLY:-}" ]; then
  echo "captured into $OUT/$OS"
  exit 0
fi

# JSON string of a file's content: escape backslash, quote and control characters
json_file() {
  awk 'BEGIN { ORS = "" }
       { gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); gsub(/\t/, "\\t"); gsub(/\r/, "\\r");
         gsub(/[\001-\010\013\014\016-\037]/, ""); if (NR > 1) print "\\n"; print }' "$1"
}
json_str() { printf '%s' "$1" | tr -d '\000-\037' | sed 's/\\/\\\\/g; s/"/\\"/g'; }

STATE=${TEBIKI_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/tebiki}
mkdir -p "$STATE"
if [ ! -s "$STATE/device-id" ]; then
  od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$STATE/device-id"
fi
KEY=$(cat "$STATE/device-id")
IDEM=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
BODY="$OUT/body.json"
{
  printf '{"idempotency_key":"%s","device":{"key":"%s","hostname":"%s","os":"%s","os_version":"%s","owner":"%s","ownership":"%s"},"files":{' \
    "$IDEM" "$(json_str "$KEY")" "$(json_str "$(hostname | cut -c1-100)")" "$OS" "$(json_str "$VERSION" | cut -c1-100)" \
    "$(json_str "$OWNER")" "$(json_str "$OWNERSHIP")"
  first=1
  for f in "$OUT/$OS"/*; do
    [ "$first" = 1 ] || printf ','
    first=0
    printf '"%s/%s":"' "$OS" "$(basename "$f")"
    json_file "$f"
    printf '"'
  done
  printf '}}'
} >"$BODY"

case "$URL" in
  */agent/captures) ENDPOINT=$URL ;;
  */api/v1/|*/api/v1) ENDPOINT="${URL%/}/agent/captures" ;;
  *) ENDPOINT="${URL%/}/api/v1/agent/captures" ;;
esac
# run unattended (cron: not a terminal), no personal link is asked for: nobody would open it, and it would only
# end in a log
PREFER=""
[ -t 1 ] || PREFER="Prefer: return=minimal"
STATUS=$(curl -sS -o "$OUT/answer.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  -H "Authorization: Bearer $TOKEN" ${PREFER:+-H "$PREFER"} --data-binary "@$BODY" --max-time 30 "$ENDPOINT")
case "$STATUS" in
  200|201)
    echo "tebiki: report stored ($STATUS)"
    # the answer to a new report holds a personal link to this device's result and what to do about it
    PAGE=$(sed -n 's/.*"page": *"\([^"]*\)".*/\1/p' "$OUT/answer.json")
    if [ -n "$PAGE" ]; then
      echo "tebiki: 結果と直し方はこちら (your result and what to do): $PAGE"
    elif [ "$STATUS" = 200 ]; then
      echo "tebiki: this report was stored before; its result is on the page of the first upload"
    fi
    rm -rf "$OUT"; exit 0 ;;
  *) echo "tebiki: upload failed (HTTP $STATUS): $(head -c 300 "$OUT/answer.json" 2>/dev/null)" >&2; exit 1 ;;
esac
