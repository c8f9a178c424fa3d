#!/usr/bin/env bash
# Brings up what exists of the ZonCoin consortium today and runs its main job.
# Today (foundation only): generates crypto material for the orderer org and three member orgs, writes the
# genesis blocks of the `supplychain` and `zoncoin` channels from network.yaml and prints one of them.
# Idempotent: existing crypto material is kept.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
command -v dotnet >/dev/null || { echo "error: the .NET 10 SDK (dotnet) is required" >&2; exit 2; }
state="$root/.zoncoin"
bash scripts/lib/install-deps.sh
mkdir -p "$state/crypto" "$state/channels"

generate() { # org msp-id extra-args...
  local org=$1 msp=$2; shift 2
  local dir="$state/crypto/${org,,}"
  if [[ -f "$dir/ca/ca-key.pem" ]]; then
    echo "crypto material for $msp already in $dir"
  else
    ./zoncoin crypto generate --org "$org" --msp-id "$msp" --out "$dir" "$@" >/dev/null
    echo "generated crypto material for $msp in $dir"
  fi
}
generate Orderer OrdererMSP --peers 0 --orderers 1 --users 0
generate Manufacturer ManufacturerMSP --peers 1 --users 1
generate Distributor DistributorMSP --peers 1 --users 1
generate Pharmacy PharmacyMSP --peers 1 --users 1

for channel in supplychain zoncoin; do
  ./zoncoin channel genesis --topology network.yaml --channel "$channel" --out "$state/channels/$channel.block"
done
echo
echo "== zoncoin inspect $state/channels/zoncoin.block (first 40 lines)"
./zoncoin inspect "$state/channels/zoncoin.block" | head -n 40
echo
echo "Foundation ready. The orderer, peers, gateway and contracts are not built yet (see README status)."
