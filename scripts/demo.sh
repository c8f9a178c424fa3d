#!/usr/bin/env bash
# Brings up what exists of the ZonCoin consortium today and runs its main job.
# Today: generates crypto material for the orderer org and three member orgs, writes the genesis blocks of the
# `supplychain` and `zoncoin` channels from network.yaml, starts a solo orderer (mutual TLS) in the background and
# joins it to both channels; then runs the whole transaction path (two orgs' peers, the C# sample chaincode, a
# gateway, endorse -> order -> validate -> commit status) on a throwaway local network with `zoncoin bench gateway`.
# Idempotent: existing crypto material is kept, a running demo orderer is restarted.
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
echo "== zoncoin inspect $state/channels/zoncoin.block (first 25 lines)"
./zoncoin inspect "$state/channels/zoncoin.block" | head -n 25

# The orderer: a solo node with mutual TLS, listening as network.yaml says (127.0.0.1:7050).
orderer_dir="$state/crypto/orderer/orderers/orderer0.orderer.zoncoin.local"
admin_tls="$state/crypto/orderer/users/Admin@orderer.zoncoin.local/tls"
pid_file="$state/orderer0.pid"
if [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
  echo "stopping the previous demo orderer (pid $(cat "$pid_file"))"
  kill "$(cat "$pid_file")"; while kill -0 "$(cat "$pid_file")" 2>/dev/null; do sleep 0.2; done
fi
rm -rf "$state/orderer0"
nohup dotnet "$root/artifacts/cli/zoncoin-orderer.dll" \
  --listen 127.0.0.1:7050 --admin-listen 127.0.0.1:7060 --operations-listen 127.0.0.1:8443 \
  --data-dir "$state/orderer0" --msp-id OrdererMSP --msp-dir "$orderer_dir/msp" --tls-dir "$orderer_dir/tls" \
  > "$state/orderer0.log" 2>&1 &
echo $! > "$pid_file"
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:8443/healthz >/dev/null && break; sleep 0.2; done
curl -sf http://127.0.0.1:8443/healthz >/dev/null || { echo "error: the orderer did not start; see $state/orderer0.log" >&2; exit 1; }
echo
echo "== orderer up (pid $(cat "$pid_file"), log $state/orderer0.log); joining the channels"
for channel in supplychain zoncoin; do
  ./zoncoin orderer join --channel "$channel" --block "$state/channels/$channel.block" --orderer 127.0.0.1:7060 \
    --ca-file "$orderer_dir/tls/ca.crt" --client-cert "$admin_tls/client.crt" --client-key "$admin_tls/client.key"
done
./zoncoin orderer list --orderer 127.0.0.1:7060 \
  --ca-file "$orderer_dir/tls/ca.crt" --client-cert "$admin_tls/client.crt" --client-key "$admin_tls/client.key"
curl -s http://127.0.0.1:8443/healthz; echo

echo
echo "== transactions through a gateway on a throwaway two-org network (zoncoin bench gateway)"
./zoncoin bench gateway --clients 32 --duration 15 --warmup 10 --batch-timeout-ms 20

echo
echo "The orderer keeps running: Broadcast/Deliver on 127.0.0.1:7050 (mutual TLS), admin on 127.0.0.1:7060,"
echo "/healthz and /metrics on http://127.0.0.1:8443. Stop it with: kill \$(cat $pid_file)"
echo "The consortium's own peers, gateways and contracts (zoncoin network up) are issue #8 (see README status)."
