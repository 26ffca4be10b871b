#!/usr/bin/env bash
# Back up newsroom: a PostgreSQL dump and the media folder, into one dated folder.
#   deploy/backup.sh /var/backups/newsroom
# Reads DATABASE_URL and DJANGO_MEDIA_ROOT from the environment (or /etc/newsroom/newsroom.env).
set -euo pipefail
target="${1:?usage: backup.sh DESTINATION_FOLDER}"
if [ -z "${DATABASE_URL:-}" ] && [ -r /etc/newsroom/newsroom.env ]; then
    set -a; . /etc/newsroom/newsroom.env; set +a
fi
: "${DATABASE_URL:?DATABASE_URL is not set}"
media="${DJANGO_MEDIA_ROOT:-$(dirname "$0")/../media}"
stamp="$(date +%Y%m%d-%H%M%S)"
folder="$target/$stamp"
mkdir -p "$folder"
pg_dump --format=custom --no-owner --file="$folder/database.dump" "$DATABASE_URL"
tar --create --gzip --file="$folder/media.tar.gz" --directory="$media" .
( cd "$folder" && sha256sum database.dump media.tar.gz > SHA256SUMS )
echo "Backup written to $folder"
