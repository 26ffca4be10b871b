#!/bin/sh
# Tries the README's "One server, from an empty Debian 12" steps, as written,
# on a Debian 12 made fresh with debootstrap. Run as root on a Debian or
# Ubuntu machine with access to Debian's mirror and PyPI:
#
#     deploy/try-on-debian.sh          # about 3 minutes; TRIAL_ROOT=/var/tmp/newsroom-trial
#
# The new system runs in its own network namespace (reaching the internet
# through NAT), so its PostgreSQL, Redis, nginx and gunicorn take the usual
# ports without touching the host's. There is no systemd in it: services start
# through their init scripts, as Debian's packages do outside systemd, and the
# systemctl stand-in below runs newsroom.service from the unit file itself
# (User, WorkingDirectory, EnvironmentFile, ReadWritePaths, ExecStart).
#
# Services start after apt-get install, as systemd would start them. Where the
# README asks a person for something, the trial answers it, and says so here:
# the database password (--pwprompt), the edit of newsroom.env (a new
# secret key; the superuser's details for createsuperuser --noinput), the
# repository to clone (this checkout) and the TLS certificate (self-signed, at
# the paths the nginx site names; curl is told to trust it). Everything else is
# the README's text. Then it checks the running site over HTTPS through nginx.
set -eu

HERE=$(cd "$(dirname "$0")/.." && pwd)
ROOT=${TRIAL_ROOT:-/var/tmp/newsroom-trial}
NS=newsroom-trial
HOST_IF=nrtrial0
NET=10.231.0
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

say() { printf '\n== %s\n' "$*"; }

for tool in debootstrap ip iptables; do
    command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install debootstrap iproute2 iptables)"; exit 2; }
done

cleanup() {
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
}
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
# The unit's ExecStart, as its User, in its WorkingDirectory, with its EnvironmentFile.
# It replaces the shell it runs in: call it in a subshell (with & or in parentheses).
as_unit() {
    exec runuser -u "$(unit_value User "$1")" -- sh -c "cd '$(unit_value WorkingDirectory "$1")' && \
        set -a && . '$(unit_value EnvironmentFile "$1")' && set +a && exec $(unit_value ExecStart "$1")"
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
    sed -i "s|^DJANGO_SECRET_KEY=.*|DJANGO_SECRET_KEY=$(head -c 48 /dev/urandom | base64 | tr -d '/+=')|" "$1"
    printf 'DJANGO_SUPERUSER_USERNAME=admin\nDJANGO_SUPERUSER_EMAIL=admin@example.edu.cn\nDJANGO_SUPERUSER_PASSWORD=trial-password-1\n' >>"$1"
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
ok() { echo "ok: $*"; }
fail() { echo "FAILED: $*"; exit 1; }

[ "$(get -o /dev/null -w '%{http_code}' "$site/healthz")" = 200 ] && ok "/healthz answers 200" || fail "/healthz"
get -D /tmp/home.headers -o /tmp/home.html "$site/"
grep -q '^HTTP/[0-9.]* 200' /tmp/home.headers && ok "home page 200 over HTTPS" || fail "home page"
grep -qi '^strict-transport-security:' /tmp/home.headers && ok "HSTS" || fail "no HSTS header"
grep -qi "^content-security-policy:" /tmp/home.headers && ok "Content-Security-Policy" || fail "no CSP"
grep -q '<html lang="zh-hans"' /tmp/home.html && ok "Chinese page" || fail "home page language"
[ "$(curl -sS -o /dev/null -w '%{http_code}' http://news.example.edu.cn/)" = 301 ] &&
    ok "http redirects to https" || fail "no redirect from http"
css=$(grep -o '/static/[^"]*\.css' /tmp/home.html | head -1)
get -D /tmp/static.headers -o /dev/null "$site$css"
grep -qi 'cache-control:.*max-age=31536000' /tmp/static.headers && ok "hashed static file cached for a year: $css" ||
    fail "static file headers"
get -o /tmp/login.html -c /tmp/jar "$site/admin/login/"
token=$(sed -n 's/.*name="csrfmiddlewaretoken" value="\([^"]*\)".*/\1/p' /tmp/login.html | head -1)
status=$(get -o /dev/null -w '%{http_code}' -b /tmp/jar -c /tmp/jar -e "$site/admin/login/" \
    --data-urlencode "csrfmiddlewaretoken=$token" --data-urlencode username=admin \
    --data-urlencode password=trial-password-1 "$site/admin/login/?next=/admin/")
[ "$status" = 302 ] && ok "the superuser signs in to the admin" || fail "admin sign-in answered $status"
[ "$(get -o /dev/null -w '%{http_code}' -b /tmp/jar "$site/admin/")" = 200 ] && ok "admin index" || fail "admin index"
cd /srv/newsroom/app
sudo -u newsroom sh -c 'set -a; . /etc/newsroom/newsroom.env; .venv/bin/python manage.py check --deploy --fail-level WARNING' &&
    ok "manage.py check --deploy: no warnings" || fail "check --deploy"
grep -q "small enough for one pass" /var/log/trial/newsroom-search-index.log &&
    ok "the search index timer's service ran" || fail "newsroom-search-index.service"
EOF
ip netns exec "$NS" chroot "$ROOT" /bin/sh /root/checks.sh
say "the README's deployment steps work on an empty Debian 12"
