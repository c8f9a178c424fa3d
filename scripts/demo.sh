#!/usr/bin/env bash
# Brings the ZonCoin consortium up and runs its main job: `./zoncoin demo`.
# `zoncoin demo` runs `network up` on network.yaml (crypto, a solo orderer, PostgreSQL for Amazon's peer, a peer,
# chaincode hosts and a gateway per org, TLS; the `zoncoin` and `supplychain` channels; both contracts deployed and
# ZonCoin initialised; connection profiles in .zoncoin/connections), then the pharma scenario through the C# gateway
# SDK, printing its report; it exits non-zero if a step fails. Then a short gateway benchmark on a throwaway network.
# Idempotent: `network up` starts only what does not run; `./zoncoin network down` stops the consortium.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
command -v dotnet >/dev/null || { echo "error: the .NET 10 SDK (dotnet) is required" >&2; exit 2; }
bash scripts/lib/install-deps.sh

echo "== ./zoncoin demo (network.yaml -> .zoncoin)"
./zoncoin demo --topology network.yaml --dir "$root/.zoncoin"

echo
echo "== transactions through a gateway on a throwaway two-org network (zoncoin bench gateway)"
./zoncoin bench gateway --clients 32 --duration 15 --warmup 10 --batch-timeout-ms 20

echo
echo "The consortium keeps running: ./zoncoin network status lists it, ./zoncoin network down stops it."
