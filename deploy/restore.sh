#!/usr/bin/env bash
# Restore a backup made by backup.sh into an EMPTY database and media folder.
#   DATABASE_URL=postgres://... DJANGO_MEDIA_ROOT=/srv/newsroom/media deploy/restore.sh /var/backups/newsroom/20250101-020000
set -euo pipefail
folder="${1:?usage: restore.sh BACKUP_FOLDER}"
: "${DATABASE_URL:?DATABASE_URL is not set}"
: "${DJANGO_MEDIA_ROOT:?DJANGO_MEDIA_ROOT is not set}"
( cd "$folder" && sha256sum --check --quiet SHA256SUMS )
pg_restore --no-owner --exit-on-error --dbname="$DATABASE_URL" "$folder/database.dump"
mkdir -p "$DJANGO_MEDIA_ROOT"
tar --extract --gzip --file="$folder/media.tar.gz" --directory="$DJANGO_MEDIA_ROOT"
echo "Restored $folder"
