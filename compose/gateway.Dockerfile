# ZonCoin gateway: an organisation's gateway.
# Build from the repository root: docker build -f compose/gateway.Dockerfile -t zoncoin/gateway .
FROM mcr.microsoft.com/dotnet/sdk:10.0-trixie-slim AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Gateway/Service/ZonCoin.Gateway.csproj -c Release -o /app --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0-trixie-slim
# curl: the compose health checks.
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
ENTRYPOINT ["dotnet", "/app/zoncoin-gateway.dll"]
