#!/bin/sh
# Upgrades newsroom in place. As root:
#
#     /srv/newsroom/app/deploy/upgrade.sh            # git pull, then everything below
#     /srv/newsroom/app/deploy/upgrade.sh --no-pull  # the code is already updated
#
# The code and its virtualenv stay owned by root (the service may not change
# them); migrate and collectstatic run as the service's user with the service's
# environment file, read as systemd reads it (deploy/with-env.sh). Migrations
# that move files (0021 moves attachments into NEWSROOM_PRIVATE_ROOT) therefore
# write with the right owner. Then gunicorn reloads without dropping requests.
set -eu
app=$(cd "$(dirname "$0")/.." && pwd)
env_file=${NEWSROOM_ENV_FILE:-/etc/newsroom/newsroom.env}
user=${NEWSROOM_USER:-newsroom}
service=${NEWSROOM_SERVICE:-newsroom}

[ "$(id -u)" = 0 ] || { echo "upgrade.sh: run as root" >&2; exit 1; }
[ -r "$env_file" ] || { echo "upgrade.sh: no $env_file" >&2; exit 1; }
cd "$app"

as_service() { runuser -u "$user" -- "$app/deploy/with-env.sh" "$env_file" "$@"; }
step() { printf '== %s\n' "$*"; }

if [ "${1:-}" != --no-pull ]; then
    step "git pull"
    git pull --ff-only
fi
step "dependencies (as root: the service cannot change its own code)"
make install
.venv/bin/python -m compileall -q config newsroom >/dev/null
step "migrate (as $user, with $env_file)"
as_service .venv/bin/python manage.py migrate --noinput
step "renditions a new version added (quick when none is missing)"
as_service .venv/bin/python manage.py make_renditions
step "collectstatic"
as_service .venv/bin/python manage.py collectstatic --noinput -v0
step "check --deploy"
# Problems are reported, not fatal: the site keeps running on the new code.
as_service .venv/bin/python manage.py check --deploy || echo "upgrade.sh: check --deploy reported problems (above)" >&2
step "reload $service"
systemctl reload "$service"
echo "upgrade.sh: done"
