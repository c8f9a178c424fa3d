# ZonCoin chaincode-token: the ZonCoin token contract served as a chaincode service.
# Build from the repository root: docker build -f compose/chaincode-token.Dockerfile -t zoncoin/chaincode-token .
FROM mcr.microsoft.com/dotnet/sdk:10.0-trixie-slim AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Chaincode.Token/ZonCoin.Chaincode.Token.csproj -c Release -o /app --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0-trixie-slim
# curl: the compose health checks.
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
ENTRYPOINT ["dotnet", "/app/zoncoin-token-chaincode.dll"]
