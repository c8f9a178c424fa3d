# ZonCoin chaincode-supplychain: the supply-chain contract served as a chaincode service.
# Build from the repository root: docker build -f compose/chaincode-supplychain.Dockerfile -t zoncoin/chaincode-supplychain .
FROM mcr.microsoft.com/dotnet/sdk:10.0-trixie-slim AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Chaincode.SupplyChain/ZonCoin.Chaincode.SupplyChain.csproj -c Release -o /app --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0-trixie-slim
# curl: the compose health checks.
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
ENTRYPOINT ["dotnet", "/app/zoncoin-supplychain-chaincode.dll"]
