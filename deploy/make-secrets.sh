#!/bin/sh
# Fills in the secrets of newsroom's environment file, and gives nginx its copy
# of the staff-cookie secret. Run as root at installation; safe to run again
# (a secret that is already set is kept):
#
#     deploy/make-secrets.sh [/etc/newsroom/newsroom.env] [/etc/nginx/newsroom-secrets.conf]
#
# Each secret is 50 random bytes as URL-safe base64 (67 characters of A-Z,
# a-z, 0-9, - and _): nothing a shell, systemd or nginx would read specially.
# (Django's get_random_secret_key() uses characters such as $ ( & # that break
# an environment file when a shell sources it.)
set -eu
env_file=${1:-/etc/newsroom/newsroom.env}
nginx_file=${2:-/etc/nginx/newsroom-secrets.conf}
[ -w "$env_file" ] || { echo "make-secrets.sh: cannot write $env_file" >&2; exit 1; }

new_secret() { python3 -c 'import secrets; print(secrets.token_urlsafe(50))'; }

# Sets NAME unless it already holds a real value (not empty, not a change-me placeholder).
fill() {
    name=$1
    current=$(sed -n "s/^$name=//p" "$env_file" | tail -1)
    case $current in
        '' | change-me* | changeme*) ;;
        *) return 0 ;;
    esac
    secret=$(new_secret)
    if grep -q "^$name=" "$env_file"; then
        sed -i "s|^$name=.*|$name=$secret|" "$env_file"
    else
        printf '%s=%s\n' "$name" "$secret" >>"$env_file"
    fi
    echo "make-secrets.sh: new $name in $env_file"
}

fill DJANGO_SECRET_KEY
fill NEWSROOM_STAFF_COOKIE_SECRET

staff=$(sed -n 's/^NEWSROOM_STAFF_COOKIE_SECRET=//p' "$env_file" | tail -1)
umask 077
printf '# Written by deploy/make-secrets.sh: the same value as NEWSROOM_STAFF_COOKIE_SECRET.\nset $newsroom_staff_secret "%s";\n' \
    "$staff" >"$nginx_file.tmp"
mv "$nginx_file.tmp" "$nginx_file"
echo "make-secrets.sh: $nginx_file matches NEWSROOM_STAFF_COOKIE_SECRET"
