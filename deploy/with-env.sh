#!/bin/sh
# Runs a command with the variables of an environment file, read the way
# systemd reads EnvironmentFile= (so that manage.py, the backups and the
# upgrade see exactly what the service sees):
#
#     deploy/with-env.sh /etc/newsroom/newsroom.env .venv/bin/python manage.py migrate
#
# One KEY=VALUE a line; lines starting with # or ; are comments; spaces around
# the key and before the value are dropped; a value wholly in "double" or
# 'single' quotes loses them. Nothing is expanded or executed: $, `, \, ( and
# quotes inside a value are kept as they are. (Sourcing the file with ". file"
# would run them as shell, which is why this exists.)
set -eu
file=${1:?usage: with-env.sh ENV_FILE COMMAND [ARGUMENT...]}
shift
[ -r "$file" ] || { echo "with-env.sh: cannot read $file" >&2; exit 1; }
while IFS= read -r line || [ -n "$line" ]; do
    case $line in
        '' | '#'* | ';'*) continue ;;
        *=*) ;;
        *)
            case $line in *[![:space:]]*) echo "with-env.sh: $file: ignoring a line without =" >&2 ;; esac
            continue
            ;;
    esac
    key=${line%%=*}
    value=${line#*=}
    # Trim the key; drop the spaces before the value (as systemd does).
    key=$(printf '%s' "$key" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')
    value=$(printf '%s' "$value" | sed 's/^[[:space:]]*//')
    case $key in
        '' | [0-9]* | *[!A-Za-z0-9_]*)
            echo "with-env.sh: $file: ignoring the invalid name '$key'" >&2
            continue
            ;;
    esac
    case $value in
        \"*\" | \'*\') [ "${#value}" -ge 2 ] && value=${value#?} && value=${value%?} ;;
    esac
    export "$key=$value"
done <"$file"
exec "$@"
