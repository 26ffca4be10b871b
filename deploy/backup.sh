#!/usr/bin/env bash
# Back up newsroom: a PostgreSQL dump, the media folder and the private
# attachments, into one dated folder readable by its owner only (0600 files in
# 0700 folders: it holds password hashes and unpublished articles).
#   deploy/backup.sh /var/backups/newsroom
# Reads DATABASE_URL, DJANGO_MEDIA_ROOT and NEWSROOM_PRIVATE_ROOT from the
# environment, or else from /etc/newsroom/newsroom.env (read as systemd reads it).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="${1:?usage: backup.sh DESTINATION_FOLDER}"
if [ -z "${DATABASE_URL:-}" ] && [ -z "${NEWSROOM_ENV_READ:-}" ] && [ -r /etc/newsroom/newsroom.env ]; then
    NEWSROOM_ENV_READ=1 exec "$here/with-env.sh" /etc/newsroom/newsroom.env "$0" "$@"
fi
: "${DATABASE_URL:?DATABASE_URL is not set}"
media="${DJANGO_MEDIA_ROOT:-$here/../media}"
private="${NEWSROOM_PRIVATE_ROOT:-$here/../private}"
umask 077
mkdir -p "$target"
chmod 0700 "$target"
stamp="$(date +%Y%m%d-%H%M%S)"
folder="$target/$stamp"
mkdir "$folder"
pg_dump --format=custom --no-owner --file="$folder/database.dump" "$DATABASE_URL"
tar --create --gzip --file="$folder/media.tar.gz" --directory="$media" .
mkdir -p "$private"
tar --create --gzip --file="$folder/private.tar.gz" --directory="$private" .
( cd "$folder" && sha256sum database.dump media.tar.gz private.tar.gz > SHA256SUMS )
chmod 0600 "$folder"/*
echo "Backup written to $folder"
