# ZonCoin orderer: the ordering service (solo or kafka consensus).
# Build from the repository root: docker build -f compose/orderer.Dockerfile -t zoncoin/orderer .
FROM mcr.microsoft.com/dotnet/sdk:10.0-trixie-slim AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Orderer/ZonCoin.Orderer.csproj -c Release -o /app --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0-trixie-slim
# curl: the compose health checks. (Kafka needs no package: the published app carries librdkafka.redist's
# librdkafka in /app/runtimes/<rid>/native.)
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
ENTRYPOINT ["dotnet", "/app/zoncoin-orderer.dll"]
