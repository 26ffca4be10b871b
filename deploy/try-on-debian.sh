#!/bin/sh
# Tries the README's "One server, from an empty Debian 12" steps, as written,
# on a Debian 12 made fresh with debootstrap. Run as root on a Debian or
# Ubuntu machine with access to Debian's mirror and PyPI:
#
#     deploy/try-on-debian.sh          # about 5 minutes; TRIAL_ROOT=/var/tmp/newsroom-trial
#     (TRIAL_NETNS, TRIAL_HOST_IF, TRIAL_NET: another namespace, interface and /30 for a second run)
#
# The new system runs in its own network namespace (reaching the internet
# through NAT), so its PostgreSQL, Redis, nginx and gunicorn take the usual
# ports without touching the host's. There is no systemd in it: services start
# through their init scripts, as Debian's packages do outside systemd, and the
# systemctl stand-in below runs newsroom.service from the unit file itself
# (User, WorkingDirectory, EnvironmentFile read as systemd reads it,
# ReadWritePaths, ExecStart).
#
# Services start after apt-get install, as systemd would start them. Where the
# README asks a person for something, the trial answers it, and says so here:
# the database password (--pwprompt), the edit of newsroom.env (the
# superuser's details for createsuperuser --noinput, and a local mail catcher
# as the mail server), the
# repository to clone (this checkout) and the TLS certificate (self-signed, at
# the paths the nginx site names; curl is told to trust it). Everything else is
# the README's text. Then it checks the running site over HTTPS through nginx,
# a backup and its restore, and the upgrade command.
set -eu

HERE=$(cd "$(dirname "$0")/.." && pwd)
ROOT=${TRIAL_ROOT:-/var/tmp/newsroom-trial}
NS=${TRIAL_NETNS:-newsroom-trial}
HOST_IF=${TRIAL_HOST_IF:-nrtrial0}
NET=${TRIAL_NET:-10.231.0}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

say() { printf '\n== %s\n' "$*"; }

for tool in debootstrap ip iptables; do
    command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install debootstrap iproute2 iptables)"; exit 2; }
done

# In a subshell: its "set +e" must not switch off "set -e" for the rest of the script.
cleanup() (
    set +e
    for pid in $(ip netns pids "$NS" 2>/dev/null); do kill "$pid" 2>/dev/null; done
    sleep 1
    for pid in $(ip netns pids "$NS" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
    for mount in mnt/newsroom run dev/pts dev sys proc; do
        mountpoint -q "$ROOT/$mount" && umount -l "$ROOT/$mount"
    done
    iptables -t nat -D POSTROUTING -s "$NET.0/30" -j MASQUERADE 2>/dev/null
    ip link del "$HOST_IF" 2>/dev/null
    ip netns del "$NS" 2>/dev/null
    true  # nothing to clean up is no failure
)
trap cleanup EXIT INT TERM
cleanup

# --- an empty Debian 12 ----------------------------------------------------------------

say "a fresh Debian 12 in $ROOT"
rm -rf "$ROOT"
debootstrap bookworm "$ROOT" "$MIRROR" >"$ROOT.debootstrap.log" 2>&1 ||
    { tail -20 "$ROOT.debootstrap.log"; exit 1; }

say "its own network namespace, with NAT to the internet"
ip netns add "$NS"
ip link add "$HOST_IF" type veth peer name eth0 netns "$NS"
ip addr add "$NET.1/30" dev "$HOST_IF"
ip link set "$HOST_IF" up
ip netns exec "$NS" ip addr add "$NET.2/30" dev eth0
ip netns exec "$NS" ip link set eth0 up
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" ip route add default via "$NET.1"
sysctl -qw net.ipv4.ip_forward=1
iptables -t nat -A POSTROUTING -s "$NET.0/30" -j MASQUERADE

mount -t proc proc "$ROOT/proc"
mount -t sysfs sysfs "$ROOT/sys"
mount --bind /dev "$ROOT/dev"
mount -t devpts devpts "$ROOT/dev/pts"
mount -t tmpfs tmpfs "$ROOT/run"
mkdir -p "$ROOT/mnt/newsroom"
mount --bind -o ro "$HERE" "$ROOT/mnt/newsroom"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
# Where the way to PyPI goes through a TLS-inspecting proxy, the new system
# needs the host's own certificate authorities (ca-certificates adds them to
# the system's list when apt-get installs it), and pip told to use that list.
if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
    mkdir -p "$ROOT/usr/local/share/ca-certificates"
    cp /usr/local/share/ca-certificates/*.crt "$ROOT/usr/local/share/ca-certificates/"
    printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' >"$ROOT/etc/pip.conf"
fi
printf '127.0.1.1 %s\n127.0.0.1 news.example.edu.cn\n' "$(hostname)" >>"$ROOT/etc/hosts"

# --- stand-ins for what the README leaves to a person, and for systemd -----------------

cat >"$ROOT/usr/local/sbin/systemctl" <<'EOF'
#!/bin/sh
# systemctl without systemd: Debian's init scripts for packaged services, and
# our own units run from their unit files.
set -eu
unit_value() { sed -n "s/^$1=//p" "/etc/systemd/system/$2.service" | tail -1; }
mkdir -p /var/log/trial
start_unit() {
    unit=$1
    [ -f "/etc/init.d/$unit" ] && exec "/etc/init.d/$unit" start
    file=/etc/systemd/system/$unit.service
    [ -f "$file" ] || { echo "no unit $unit"; exit 5; }
    # systemd refuses to start a unit whose ReadWritePaths= do not exist.
    for path in $(unit_value ReadWritePaths "$unit"); do
        case $path in -*) continue ;; esac
        [ -e "$path" ] || { echo "$unit: ReadWritePaths $path does not exist"; exit 1; }
    done
    as_unit "$unit" >>"/var/log/trial/$unit.log" 2>&1 &
    echo $! >"/run/trial-$unit.pid"
}
run_once() {
    unit=$1
    (as_unit "$unit") >>"/var/log/trial/$unit.log" 2>&1 || { cat "/var/log/trial/$unit.log"; exit 1; }
}
# The unit's ExecStart, as its User, in its WorkingDirectory, with its EnvironmentFile
# read as systemd reads it (deploy/with-env.sh: nothing expanded). setpriv execs
# (runuser would fork), so the process started is the unit's main process.
# It replaces the shell it runs in: call it in a subshell (with & or in parentheses).
as_unit() {
    wd=$(unit_value WorkingDirectory "$1")
    exec setpriv --reuid="$(unit_value User "$1")" --regid="$(unit_value Group "$1")" --init-groups -- \
        sh -c "cd '$wd' && exec '$wd/deploy/with-env.sh' '$(unit_value EnvironmentFile "$1")' $(unit_value ExecStart "$1")"
}
command=$1; shift
case $command in
    daemon-reload) ;;
    enable)
        [ "$1" = --now ] || exit 0
        shift
        for unit in "$@"; do
            case $unit in
                # A timer's first run, now and in the foreground: its service must succeed.
                *.timer) run_once "${unit%.timer}" ;;
                *) (start_unit "$unit") ;;
            esac
        done ;;
    start) start_unit "$1" ;;
    restart|reload)
        if [ -f "/etc/init.d/$1" ]; then
            "/etc/init.d/$1" status >/dev/null 2>&1 && exec "/etc/init.d/$1" "$command"
            exec "/etc/init.d/$1" start
        fi
        kill -HUP "$(cat "/run/trial-$1.pid")" ;;
    *) echo "systemctl stand-in: $command not handled"; exit 1 ;;
esac
EOF
chmod +x "$ROOT/usr/local/sbin/systemctl"

# The README's lines, with the answers a person would give.
awk '/^### One server, from an empty Debian 12/ { on = 1 } on && /^```sh/ { block = 1; next }
     block && /^```/ { exit } block' "$HERE/README.md" |
    sed -e 's|^apt-get update && apt-get install .*|& \&\& trial_start_services|' \
        -e 's|git clone <this repository>|git clone /mnt/newsroom|' \
        -e 's|createuser newsroom --pwprompt|createuser newsroom \&\& trial_password|' \
        -e 's|editor /etc/newsroom/newsroom.env|trial_edit /etc/newsroom/newsroom.env|' \
        -e 's|manage.py createsuperuser|manage.py createsuperuser --noinput|' \
        -e 's|systemctl enable --now newsroom|trial_certificate \&\& &|' \
        -e 's|^curl -fsS |curl -fsS --cacert /etc/ssl/certs/news.example.edu.cn.pem |' \
        >"$ROOT/root/readme-steps.sh"
[ -s "$ROOT/root/readme-steps.sh" ] || { echo "no deployment steps found in README.md"; exit 1; }

cat >"$ROOT/root/trial.sh" <<'EOF'
set -eux
export DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
trial_start_services() {
    # systemd starts a package's service when it is installed; invoke-rc.d,
    # finding no runlevel in a chroot, does not.
    for service in postgresql redis-server nginx; do service "$service" start; done
}
trial_password() { sudo -u postgres psql -qc "ALTER ROLE newsroom PASSWORD 'password'"; }
trial_edit() {
    # The secrets are deploy/make-secrets.sh's (a README step); a person adds the
    # mail server: here a catcher on this machine (Python 3.11's smtpd).
    sed -i -e 's|^EMAIL_HOST=.*|EMAIL_HOST=127.0.0.1|' -e 's|^EMAIL_PORT=.*|EMAIL_PORT=2525|' \
        -e 's|^EMAIL_HOST_USER=.*|EMAIL_HOST_USER=|' -e 's|^EMAIL_HOST_PASSWORD=.*|EMAIL_HOST_PASSWORD=|' \
        -e 's|^EMAIL_USE_TLS=.*|EMAIL_USE_TLS=0|' "$1"
    (python3 -W ignore -m smtpd -n -c DebuggingServer 127.0.0.1:2525 >/var/log/trial-mail.log 2>&1 &)
    printf 'DJANGO_SUPERUSER_USERNAME=admin\nDJANGO_SUPERUSER_EMAIL=admin@example.edu.cn\nDJANGO_SUPERUSER_PASSWORD=trial-password-1\n' >>"$1"
    for _ in 1 2 3 4 5 6 7 8 9 10; do python3 -c 'import socket; socket.create_connection(("127.0.0.1", 2525))' 2>/dev/null && break; sleep 0.5; done
}
trial_certificate() {
    apt-get install -y -q openssl >/dev/null
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=news.example.edu.cn \
        -addext subjectAltName=DNS:news.example.edu.cn \
        -keyout /etc/ssl/private/news.example.edu.cn.key -out /etc/ssl/certs/news.example.edu.cn.pem 2>/dev/null
}
. /root/readme-steps.sh
EOF

say "the README's steps"
sed 's/^/    /' "$ROOT/root/readme-steps.sh"
ip netns exec "$NS" chroot "$ROOT" /bin/sh /root/trial.sh >"$ROOT.steps.log" 2>&1 ||
    { tail -40 "$ROOT.steps.log"; echo "FAILED: the README's steps (log: $ROOT.steps.log)"; exit 1; }
echo "all steps ran (log: $ROOT.steps.log)"

# --- what the administrator should now have ---------------------------------------------

say "checks"
cat >"$ROOT/root/checks.sh" <<'EOF'
set -eu
site=https://news.example.edu.cn
get() { curl -sS --cacert /etc/ssl/certs/news.example.edu.cn.pem "$@"; }
status() { get -o /dev/null -w '%{http_code}' "$@"; }
header() { grep -i "^$1:" | head -1 | cut -d: -f2- | tr -d '\r' | sed 's/^ *//'; }
ok() { echo "ok: $*"; }
fail() { echo "FAILED: $*"; exit 1; }
cd /srv/newsroom/app
manage() { runuser -u newsroom -- deploy/with-env.sh /etc/newsroom/newsroom.env .venv/bin/python manage.py "$@"; }

[ "$(status "$site/healthz")" = 200 ] && ok "/healthz answers 200" || fail "/healthz"
[ "$(status --head "$site/healthz")" = 200 ] && ok "HEAD /healthz answers 200" || fail "HEAD /healthz"
[ "$(status -X TRACE "$site/")" = 405 ] && ok "TRACE is a 405" || fail "TRACE"
get -D /tmp/home.headers -o /tmp/home.html "$site/"
grep -q '^HTTP/[0-9.]* 200' /tmp/home.headers && ok "home page 200 over HTTPS" || fail "home page"
grep -qi '^strict-transport-security:' /tmp/home.headers && ok "HSTS" || fail "no HSTS header"
grep -qi "^content-security-policy:" /tmp/home.headers && ok "Content-Security-Policy" || fail "no CSP"
[ "$(header server </tmp/home.headers)" = nginx ] && ok "nginx does not name its version" || fail "server_tokens"
grep -q '<html lang="zh-hans"' /tmp/home.html && ok "Chinese page" || fail "home page language"
[ "$(curl -sS -o /dev/null -w '%{http_code}' http://news.example.edu.cn/)" = 301 ] &&
    ok "http redirects to https" || fail "no redirect from http"
[ ! -e /etc/nginx/sites-enabled/default ] && ok "Debian's default site is disabled" || fail "default site"

# Static files: nginx's own Cache-Control (WhiteNoise writes "max-age=315360000, public, immutable").
css=$(grep -o '/static/[^"]*\.css' /tmp/home.html | head -1)
get -D /tmp/static.headers -o /dev/null "$site$css"
[ "$(header cache-control </tmp/static.headers)" = "public, max-age=31536000, immutable" ] &&
    ok "hashed static file served by nginx, cached for a year: $css" || fail "static file headers"

# Content: a published article with an attachment, a draft with attachments.
manage shell -c '
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from newsroom.models import Article, Category, Department
from newsroom.services.attachments import attachment_create
department = Department.objects.create(name="试验学院", slug="trial")
column = Category.objects.create(department=department, name="最新动态", slug="news")
def article(status, title):
    return Article.objects.create(category=column, title=title, body="<p>正文</p>", status=status,
                                  publish_at=timezone.now() - timezone.timedelta(hours=1))
def pdf(item, marker):
    return attachment_create(article=item, user=None, uploaded_file=SimpleUploadedFile(
        "附件.pdf", b"%PDF-1.4\n" + marker + b"\n", content_type="application/pdf"))
published = article(Article.Status.PUBLISHED, "试验新闻")
draft = article(Article.Status.DRAFT, "草稿")
print(published.pk, pdf(published, b"PUBLIC-FILE").pk, pdf(draft, b"DRAFT-FILE").pk, pdf(draft, b"x").file.name)
' | tail -1 >/tmp/ids   # the last line: Django's shell first says what it imported
read -r article public_attachment draft_attachment draft_file </tmp/ids

page="$site/articles/$article/"
first=$(get -D - -o /dev/null "$page" | header x-micro-cache)
second=$(get -D - -o /dev/null "$page" | header x-micro-cache)
forged=$(get -D - -o /dev/null -H 'Cookie: csrftoken=anything; sessionid=made-up' "$page" | header x-micro-cache)
[ "$first $second $forged" = "MISS HIT HIT" ] &&
    ok "micro-cache: miss, hit, and a hit for made-up csrftoken/sessionid cookies" ||
    fail "micro-cache: $first $second $forged"

mkdir -p /srv/newsroom/media/uploads
printf 'GIF89a trial' >/srv/newsroom/media/uploads/trial.gif
get -D /tmp/media.headers -o /dev/null "$site/media/uploads/trial.gif"
grep -q '^HTTP/[0-9.]* 200' /tmp/media.headers && [ "$(header x-content-type-options </tmp/media.headers)" = nosniff ] &&
    ok "media served by nginx, nosniff" || fail "media"

[ "$(get "$site/attachments/$public_attachment/" | grep -c PUBLIC-FILE)" = 1 ] &&
    ok "a published article's attachment downloads" || fail "published attachment"
[ "$(status "$site/attachments/$draft_attachment/")" = 404 ] && ok "a draft's attachment is a 404" || fail "draft attachment"
[ -f "/srv/newsroom/private/$draft_file" ] && [ ! -e "/srv/newsroom/media/$draft_file" ] &&
    ok "attachment files are in /srv/newsroom/private, not in media" || fail "attachment location"
[ "$(stat -c %a /srv/newsroom/private)" = 700 ] && ok "the private folder is 0700" || fail "private folder mode"
for path in "media/$draft_file" "media//$draft_file" "media/./$draft_file" "media/%2e/$draft_file" \
    "media/uploads/../$draft_file" "media///$draft_file" "media/../private/$draft_file" \
    "media/%2e%2e/private/$draft_file" "media/%252e%252e/private/$draft_file" "static/../private/$draft_file" \
    "media/uploads%5c..%5c$draft_file" "private/$draft_file"; do
    code=$(status --path-as-is "$site/$path")
    case $code in 200) fail "/$path answered 200" ;; esac
done
ok "no /media/ or /static/ spelling reaches an attachment through nginx"

# Three cookie-less clients from three addresses: three counted views.
counts=""
for source in 127.0.0.2 127.0.0.3 127.0.0.4; do
    counts="$counts $(get --interface "$source" -X POST -A 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0' \
        "$site/click/$article/" | sed 's/.*"count": *\([0-9]*\).*/\1/')"
done
[ "$counts" = " 1 2 3" ] && ok "behind nginx each client address counts (counts:$counts)" || fail "clicks:$counts"

get -o /tmp/login.html -c /tmp/jar "$site/admin/login/"
token=$(sed -n 's/.*name="csrfmiddlewaretoken" value="\([^"]*\)".*/\1/p' /tmp/login.html | head -1)
code=$(status -b /tmp/jar -c /tmp/jar -e "$site/admin/login/" \
    --data-urlencode "csrfmiddlewaretoken=$token" --data-urlencode username=admin \
    --data-urlencode password=trial-password-1 "$site/admin/login/?next=/admin/")
[ "$code" = 302 ] && ok "the superuser signs in to the admin" || fail "admin sign-in answered $code"
[ "$(status -b /tmp/jar -c /tmp/jar "$site/admin/")" = 200 ] && ok "admin index" || fail "admin index"
grep -q newsroom_staff /tmp/jar || fail "no staff cookie after signing in"
staff=$(get -D - -o /dev/null -b /tmp/jar "$page" | header x-micro-cache)
[ "$staff" = BYPASS ] && ok "signed-in staff skip the micro-cache" || fail "staff micro-cache: $staff"

manage check --deploy --fail-level WARNING && ok "manage.py check --deploy: no warnings, mail can be sent" ||
    fail "check --deploy"
sed 's/^EMAIL_PORT=.*/EMAIL_PORT=2599/' /etc/newsroom/newsroom.env >/tmp/nomail.env
chgrp newsroom /tmp/nomail.env && chmod 640 /tmp/nomail.env
if runuser -u newsroom -- deploy/with-env.sh /tmp/nomail.env .venv/bin/python manage.py check --deploy >/tmp/nomail.out 2>&1; then
    fail "check --deploy passed without a mail server"
fi
grep -q "newsroom.E001.*Mail cannot be sent through 127.0.0.1:2599" /tmp/nomail.out &&
    ok "check --deploy reports mail that cannot be sent" || { cat /tmp/nomail.out; fail "no mail report"; }
grep -q "small enough for one pass" /var/log/trial/newsroom-search-index.log &&
    ok "the search index timer's service ran" || fail "newsroom-search-index.service"

[ -z "$(find /srv/newsroom/app ! -user root | head -1)" ] && ok "the code is owned by root" || fail "code ownership"
if runuser -u newsroom -- sh -c 'touch /srv/newsroom/app/x' 2>/dev/null; then fail "the service user can write its code"; fi
ok "the service user cannot write its code"
for unit in newsroom newsroom-search-index newsroom-flush-clicks; do
    grep -q '^ProtectSystem=strict' "deploy/$unit.service" || fail "$unit: ProtectSystem"
done
ok "units: ProtectSystem=strict"

# Backup and restore.
deploy/backup.sh /var/backups/newsroom >/tmp/backup.out
backup=$(sed -n 's/^Backup written to //p' /tmp/backup.out)
[ "$(stat -c %a /var/backups/newsroom) $(stat -c %a "$backup")" = "700 700" ] &&
    [ "$(stat -c %a "$backup"/* | sort -u)" = 600 ] && ok "backup: 0600 files in 0700 folders" || fail "backup modes"
sudo -u postgres createdb --owner newsroom newsroom_restored
DATABASE_URL=postgres://newsroom:password@127.0.0.1:5432/newsroom_restored \
    DJANGO_MEDIA_ROOT=/tmp/media-restored NEWSROOM_PRIVATE_ROOT=/tmp/private-restored deploy/restore.sh "$backup" >/dev/null
[ "$(sudo -u postgres psql -tAc 'SELECT count(*) FROM newsroom_article' newsroom_restored)" = 2 ] &&
    [ -f "/tmp/private-restored/$draft_file" ] && ok "the backup restores: articles and attachment files" ||
    fail "restore"

# The upgrade command, as the README gives it.
deploy/upgrade.sh >/tmp/upgrade.out 2>&1 || { cat /tmp/upgrade.out; fail "upgrade.sh"; }
grep -q "No migrations to apply" /tmp/upgrade.out && [ ! -e db.sqlite3 ] &&
    ok "upgrade.sh migrates the production database (no db.sqlite3)" || { cat /tmp/upgrade.out; fail "upgrade migrate"; }
[ "$(status --retry 5 --retry-connrefused "$site/healthz")" = 200 ] && ok "the site answers after the upgrade's reload" ||
    fail "after upgrade"
EOF
ip netns exec "$NS" chroot "$ROOT" /bin/sh /root/checks.sh
say "the README's deployment steps work on an empty Debian 12"
