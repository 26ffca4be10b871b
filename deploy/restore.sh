#!/usr/bin/env bash
# Restore a backup made by backup.sh into an EMPTY database, media folder and
# private attachments folder.
#   DATABASE_URL=postgres://... DJANGO_MEDIA_ROOT=/srv/newsroom/media NEWSROOM_PRIVATE_ROOT=/srv/newsroom/private \
#     deploy/restore.sh /var/backups/newsroom/20250101-020000
set -euo pipefail
folder="${1:?usage: restore.sh BACKUP_FOLDER}"
: "${DATABASE_URL:?DATABASE_URL is not set}"
: "${DJANGO_MEDIA_ROOT:?DJANGO_MEDIA_ROOT is not set}"
( cd "$folder" && sha256sum --check --quiet SHA256SUMS )
pg_restore --no-owner --exit-on-error --dbname="$DATABASE_URL" "$folder/database.dump"
mkdir -p "$DJANGO_MEDIA_ROOT"
tar --extract --gzip --file="$folder/media.tar.gz" --directory="$DJANGO_MEDIA_ROOT"
# Backups from before attachments moved out of media have no private.tar.gz.
if [ -f "$folder/private.tar.gz" ]; then
    : "${NEWSROOM_PRIVATE_ROOT:?NEWSROOM_PRIVATE_ROOT is not set}"
    mkdir -p "$NEWSROOM_PRIVATE_ROOT"
    chmod 0700 "$NEWSROOM_PRIVATE_ROOT"
    tar --extract --gzip --file="$folder/private.tar.gz" --directory="$NEWSROOM_PRIVATE_ROOT"
fi
echo "Restored $folder"
