#!/usr/bin/env bash
# Build the startpunkt image with podman where no container registry is reachable: the Debian 12
# slim base is made here with mmdebstrap (the way Debian's official bookworm-slim is made), then
# the root Containerfile is built FROM it. Where docker.io is reachable, a plain
# `podman build -t startpunkt .` gives the same content from debian:bookworm-slim.
#
#   deploy/image/build.sh [IMAGE]     default IMAGE: localhost/startpunkt:<version>
#
# Environment:
#   PODMAN        the podman command (default: podman); on this project's CI machines
#                 "podman --runtime runc" with CONTAINERS_CONF=deploy/image/containers.conf
#   BASE          use this base image instead of making one (e.g. docker.io/library/debian:bookworm-slim)
#   REBUILD_BASE  1: make the local base again (to pick up Debian's security updates)
#   PIP_CERT      CA bundle pip inside the build should trust (default: none, pip's own);
#                 passed as a build secret, so it never lands in a layer
#   MIRROR        Debian mirror for the base (default: http://deb.debian.org)
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
if [ -n "${CONTAINERS_CONF:-}" ]; then  # podman's helpers run elsewhere: make it absolute
  CONTAINERS_CONF="$(realpath "$CONTAINERS_CONF")"
  export CONTAINERS_CONF
fi
podman=(${PODMAN:-podman})
version="$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' "$root/startpunkt/__init__.py")"
image="${1:-localhost/startpunkt:$version}"
mirror="${MIRROR:-http://deb.debian.org}"
local_base="localhost/startpunkt-base:bookworm-slim"

make_base() {
  # debian:bookworm-slim is a minbase bootstrap whose dpkg never unpacks documentation, manual
  # pages or translations (debuerreotype's "slimify" lists), with apt's lists removed.
  local tmp
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' RETURN
  # debuerreotype's minimizing config, as in every official Debian image: apt deletes the
  # packages it downloaded and its binary caches after each run, and services never start.
  mkdir -p "$tmp/apt.conf.d"
  local clean='"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true";'
  printf 'DPkg::Post-Invoke { %s };\nAPT::Update::Post-Invoke { %s };\nDir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n' \
    "$clean" "$clean" > "$tmp/apt.conf.d/docker-clean"
  echo 'Apt::AutoRemove::SuggestsImportant "false";' > "$tmp/apt.conf.d/docker-autoremove-suggests"
  echo 'Acquire::GzipIndexes "true";' > "$tmp/apt.conf.d/docker-gzip-indexes"
  echo 'Acquire::Languages "none";' > "$tmp/apt.conf.d/docker-no-languages"
  printf '#!/bin/sh\nexit 101\n' > "$tmp/policy-rc.d"
  local slim=()
  for path in /usr/share/doc/ /usr/share/groff/ /usr/share/info/ /usr/share/linda/ \
              /usr/share/lintian/overrides/ /usr/share/locale/ /usr/share/man/; do
    slim+=(--dpkgopt="path-exclude=${path}*")
  done
  for path in '/usr/share/doc/*/copyright' /usr/share/locale/locale.alias \
              /usr/share/locale/languages /usr/share/locale/all_languages \
              '/usr/share/locale/currency/*' '/usr/share/locale/l10n/*'; do
    slim+=(--dpkgopt="path-include=${path}")
  done
  mmdebstrap --variant=minbase --format=tar "${slim[@]}" \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --dpkgopt=force-unsafe-io \
    --customize-hook="cp $tmp/apt.conf.d/* \"\$1/etc/apt/apt.conf.d/\"" \
    --customize-hook="install -m 0755 $tmp/policy-rc.d \"\$1/usr/sbin/policy-rc.d\"" \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/log/apt/* "$1"/var/log/dpkg.log' \
    bookworm "$tmp/rootfs.tar" \
    "deb $mirror/debian bookworm main" \
    "deb $mirror/debian bookworm-updates main" \
    "deb $mirror/debian-security bookworm-security main"
  "${podman[@]}" import --change 'CMD ["bash"]' "$tmp/rootfs.tar" "$local_base" >/dev/null
  echo "made $local_base"
}

base="${BASE:-}"
if [ -z "$base" ]; then
  base="$local_base"
  if [ "${REBUILD_BASE:-0}" = 1 ] || ! "${podman[@]}" image exists "$base"; then
    make_base
  fi
fi

secret=()
if [ -n "${PIP_CERT:-}" ]; then
  secret=(--secret "id=pip-cert,src=$PIP_CERT")
fi

"${podman[@]}" build --network=host --layers \
  --build-arg "BASE=$base" --build-arg "VERSION=$version" "${secret[@]}" \
  -f "$root/Containerfile" -t "$image" "$root"
echo "built $image"
