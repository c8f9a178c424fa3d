# ZonCoin peer: a peer (SQLite or PostgreSQL state database).
# Build from the repository root: docker build -f compose/peer.Dockerfile -t zoncoin/peer .
FROM mcr.microsoft.com/dotnet/sdk:10.0-trixie-slim AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Peer/ZonCoin.Peer.csproj -c Release -o /app --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0-trixie-slim
# curl: the compose health checks.
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
ENTRYPOINT ["dotnet", "/app/zoncoin-peer.dll"]
