#!/usr/bin/env bash
# Brings the ZonCoin consortium up and runs its main job.
# Today: `zoncoin network up` starts the consortium of network.yaml as local background processes (a solo orderer,
# PostgreSQL for Amazon's peer, a peer, chaincode hosts and a gateway per org; TLS), creates the `zoncoin` and
# `supplychain` channels, deploys both contracts and initialises ZonCoin; then it queries the token through each org's
# gateway and runs the whole transaction path on a throwaway local network with `zoncoin bench gateway`.
# Idempotent: `network up` starts only what does not run; `./zoncoin network down` stops the consortium.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
command -v dotnet >/dev/null || { echo "error: the .NET 10 SDK (dotnet) is required" >&2; exit 2; }
state="$root/.zoncoin"
bash scripts/lib/install-deps.sh

# An orderer started by an earlier version of this script holds port 7050: stop it.
pid_file="$state/orderer0.pid"
if [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
  echo "stopping the previous demo orderer (pid $(cat "$pid_file"))"
  kill "$(cat "$pid_file")"; while kill -0 "$(cat "$pid_file")" 2>/dev/null; do sleep 0.2; done
fi
rm -f "$pid_file"

echo "== zoncoin network up (network.yaml -> $state)"
./zoncoin network up --topology network.yaml --dir "$state"

echo
echo "== the ZonCoin contract through each org's gateway (zoncoin transaction evaluate)"
for org in Amazon Manufacturer Distributor; do
  echo "$org: $(./zoncoin transaction evaluate ClientAccountId --profile "$state/connections/$org.json" --channel zoncoin --chaincode zoncoin)"
done
./zoncoin transaction evaluate TokenInfo --profile "$state/connections/Amazon.json" --channel zoncoin --chaincode zoncoin

echo
echo "== transactions through a gateway on a throwaway two-org network (zoncoin bench gateway)"
./zoncoin bench gateway --clients 32 --duration 15 --warmup 10 --batch-timeout-ms 20

echo
echo "The consortium keeps running: ./zoncoin network status lists it, ./zoncoin network down stops it."
