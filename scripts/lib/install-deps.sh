#!/usr/bin/env bash
# Installs the system packages ZonCoin needs, idempotently; run by scripts/test.sh and scripts/demo.sh before building.
#   docker-compose - `docker-compose config` checks the file `zoncoin compose generate` writes (no Docker engine needed)
#   postgresql-15 - the server binaries (/usr/lib/postgresql/15/bin) the PostgreSQL state database tests start
#                   themselves (tests/Ledger.Tests/Support/PostgresServer.cs); the package's own cluster is not used
# Kafka needs no system package: librdkafka comes with the librdkafka.redist NuGet package (src/Kafka/KafkaNative.cs).
# A package that dpkg reports as installed is left alone; otherwise `apt-get update` (needed on a fresh machine,
# where the package lists are empty) and `apt-get install -y`, through sudo when not root.
set -euo pipefail

packages=(postgresql-15 docker-compose)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg -s "$package" 2>/dev/null | grep -q '^Status: install ok installed'; then
    missing+=("$package")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "error: ${missing[*]} is not installed and apt-get is not available; install them yourself (PostgreSQL 15, docker-compose)" >&2
  exit 2
fi
as_root=()
if [[ $(id -u) -ne 0 ]]; then
  if ! command -v sudo >/dev/null; then
    echo "error: ${missing[*]} is not installed; run as root or install sudo (apt-get install -y ${missing[*]})" >&2
    exit 2
  fi
  as_root=(sudo)
fi
echo "== installing ${missing[*]} (apt-get)"
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
