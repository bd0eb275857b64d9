#!/usr/bin/env bash
# Builds the example shop's container images, for scenarios on the Docker backend. No image
# is pulled (there may be no registry): each one is FROM scratch.
#   shakedown-example/{orders,payments,shipping}:latest  the shop's services, linked statically
#     (crt-static, in target/static so the normal build cache stays valid), HOST=0.0.0.0
#   shakedown-example/nats:latest  Debian's nats-server and the libraries ldd names
# All are labelled org.shakedown.example=true. Running it again rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "images.sh: $*" >&2; exit 1; }
command -v docker >/dev/null 2>&1 || fail "docker is not installed"
docker info >/dev/null 2>&1 || fail "the Docker daemon does not answer (is it running?)"
nats_server="$(command -v nats-server || echo /usr/sbin/nats-server)"
[ -x "$nats_server" ] || fail "nats-server is not installed (apt-get install nats-server)"

target=x86_64-unknown-linux-gnu
echo "== static services (cargo build --release -p shakedown-shop --target $target --target-dir target/static)"
RUSTFLAGS="-C target-feature=+crt-static" \
  cargo build --release -p shakedown-shop --target "$target" --target-dir target/static
bin="target/static/$target/release"

context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT

# build NAME: docker/NAME.Dockerfile on the context folder, tagged shakedown-example/NAME:latest.
build() {
  local image="shakedown-example/$1:latest"
  local out
  out="$(docker build --quiet --tag "$image" --file "docker/$1.Dockerfile" "$context" 2>&1)" ||
    { echo "$out" >&2; fail "building $image failed"; }
  echo "built $image $(docker image inspect --format '{{.Id}} {{.Size}} bytes' "$image")"
}

echo "== images"
for service in orders payments shipping; do
  [ -x "$bin/$service" ] || fail "$bin/$service was not built"
  [[ "$(ldd "$bin/$service" 2>&1 || true)" != *"=>"* ]] || fail "$bin/$service is not static"
  cp "$bin/$service" "$context/$service"
  build "$service"
done

# nats: the binary and every library it loads, at the same paths, symlinks resolved.
mkdir -p "$context/rootfs/usr/sbin"
cp -L "$nats_server" "$context/rootfs/usr/sbin/nats-server"
for lib in $(ldd "$nats_server" | grep -o '/[^ ]*'); do
  mkdir -p "$context/rootfs$(dirname "$lib")"
  cp -L "$lib" "$context/rootfs$lib"
done
build nats
