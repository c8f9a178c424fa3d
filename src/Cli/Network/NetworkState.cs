using System.Text.Json;
using System.Text.Json.Serialization;

namespace ZonCoin.Cli.Network;

/// <summary>
/// <c>DIR/network.json</c>: what <c>zoncoin network up</c> started and where everything is, so that <c>status</c>,
/// <c>down</c>, a second <c>up</c> and the admin commands (their defaults) can find it. Every path is absolute.
/// </summary>
internal sealed record NetworkState
{
    public const string FileName = "network.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    /// <summary>The topology's name.</summary>
    public string Name { get; init; } = "";

    /// <summary>The topology file it was started from.</summary>
    public string Topology { get; init; } = "";

    /// <summary>The network's folder (DIR).</summary>
    public string Directory { get; init; } = "";

    /// <summary>Whether the nodes use TLS (false after <c>up --no-tls</c>).</summary>
    public bool Tls { get; init; }

    public List<OrdererRecord> Orderers { get; init; } = [];

    public List<OrganizationRecord> Organizations { get; init; } = [];

    public List<ChannelRecord> Channels { get; init; } = [];

    public List<ContractRecord> Contracts { get; init; } = [];

    /// <summary>The PostgreSQL server of the peers on postgres, or null when none is.</summary>
    public PostgresRecord? Postgres { get; set; }

    /// <summary>Every background process, in start order.</summary>
    public List<ServiceRecord> Services { get; init; } = [];

    public static string PathIn(string directory) => System.IO.Path.Combine(directory, FileName);

    public static NetworkState Load(string directory)
    {
        var path = PathIn(directory);
        try
        {
            return JsonSerializer.Deserialize<NetworkState>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"'{path}' holds no network");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{path}' is not a network state file: {ex.Message}", ex);
        }
    }

    public void Save()
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = PathIn(Directory);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, Json) + "\n");
        File.Move(temporary, path, overwrite: true);
    }

    public ServiceRecord? Service(string name) => Services.FirstOrDefault(s => s.Name == name);

    public OrganizationRecord Organization(string name) =>
        Organizations.FirstOrDefault(o => o.Name == name || o.MspId == name)
        ?? throw new ArgumentException($"organization '{name}' is not part of the local network in {Directory} (it has {string.Join(", ", Organizations.Select(o => o.Name))})");

    /// <summary>The member orgs of a channel, or every member org when the channel is not a network channel.</summary>
    public IReadOnlyList<OrganizationRecord> MembersOf(string channel) =>
        Channels.FirstOrDefault(c => c.Name == channel) is { } known
            ? [.. known.Organizations.Select(Organization)]
            : Organizations;

    /// <summary>TLS CA files of every node (for clients that talk to several of them).</summary>
    public IReadOnlyList<string> TlsCaFiles =>
        Tls ? [.. Orderers.Select(o => o.TlsCaFile!).Concat(Organizations.Select(o => o.TlsCaFile!)).Distinct(StringComparer.Ordinal)] : [];
}

internal sealed record OrdererRecord
{
    public string Name { get; init; } = "";

    public string Organization { get; init; } = "";

    public string MspId { get; init; } = "";

    /// <summary>gRPC (Broadcast, Deliver), host:port.</summary>
    public string Endpoint { get; init; } = "";

    /// <summary>Channel participation API, host:port.</summary>
    public string AdminEndpoint { get; init; } = "";

    public string OperationsEndpoint { get; init; } = "";

    /// <summary>The orderer org's TLS CA (PEM), null without TLS.</summary>
    public string? TlsCaFile { get; init; }

    /// <summary>The orderer org admin's TLS client certificate and key for the admin API, null without TLS.</summary>
    public string? AdminTlsCertFile { get; init; }

    public string? AdminTlsKeyFile { get; init; }
}

internal sealed record OrganizationRecord
{
    public string Name { get; init; } = "";

    public string MspId { get; init; } = "";

    /// <summary>The org admin's MSP folder (signcerts/, keystore/).</summary>
    public string AdminMspDirectory { get; init; } = "";

    /// <summary>The org's TLS CA (PEM), null without TLS.</summary>
    public string? TlsCaFile { get; init; }

    /// <summary>The org admin's TLS client certificate and key (peer admin API, mutual TLS), null without TLS.</summary>
    public string? AdminTlsCertFile { get; init; }

    public string? AdminTlsKeyFile { get; init; }

    public List<PeerRecord> Peers { get; init; } = [];

    /// <summary>The gateway's gRPC endpoint, host:port.</summary>
    public string Gateway { get; init; } = "";

    /// <summary>The org's connection profile (DIR/connections/&lt;Org&gt;.json).</summary>
    public string ConnectionProfile { get; init; } = "";

    public List<string> Channels { get; init; } = [];

    /// <summary>
    /// True once <c>zoncoin network add-org</c> has onboarded the org completely, false while a run of it has not finished
    /// (the org is not in the topology file: a later <c>up</c> keeps it either way, with its services and channel
    /// memberships). Null for the topology's own orgs.
    /// </summary>
    public bool? Onboarded { get; set; }

    /// <summary>The names of the org's services when <c>add-org</c> started them.</summary>
    public List<string>? OnboardedServices { get; set; }
}

internal sealed record PeerRecord
{
    public string Name { get; init; } = "";

    public string Endpoint { get; init; } = "";

    public string AdminEndpoint { get; init; } = "";

    public string OperationsEndpoint { get; init; } = "";

    /// <summary><c>sqlite</c> or <c>postgres</c>.</summary>
    public string StateDatabase { get; init; } = "sqlite";
}

internal sealed record ChannelRecord
{
    public string Name { get; init; } = "";

    public List<string> Organizations { get; init; } = [];

    /// <summary>The genesis block written at creation (DIR/channels/&lt;channel&gt;.block).</summary>
    public string GenesisBlock { get; init; } = "";
}

internal sealed record ContractRecord
{
    public string Name { get; init; } = "";

    public string Channel { get; init; } = "";

    public string Version { get; init; } = "";

    public string PackageId { get; init; } = "";

    /// <summary>The address in the definition (the first member org's host); each org's peer dials its own host.</summary>
    public string Address { get; init; } = "";

    /// <summary>Whether the topology's <c>initialize</c> transaction has committed.</summary>
    public bool Initialized { get; set; }
}

internal sealed record PostgresRecord
{
    public string Directory { get; init; } = "";

    public int Port { get; init; }
}

/// <summary>A background process: how to run it again, where it logs, and its current process id.</summary>
internal sealed record ServiceRecord
{
    public string Name { get; init; } = "";

    /// <summary><c>orderer</c>, <c>peer</c>, <c>chaincode</c>, <c>gateway</c> or <c>postgres</c>.</summary>
    public string Kind { get; init; } = "";

    public int Pid { get; set; }

    /// <summary>The program and its arguments (empty for PostgreSQL, which pg_ctl starts).</summary>
    public List<string> Command { get; init; } = [];

    /// <summary>Environment variables set for it beyond the CLI's own.</summary>
    public Dictionary<string, string> Environment { get; init; } = [];

    /// <summary>Its main endpoint, host:port.</summary>
    public string Endpoint { get; init; } = "";

    /// <summary>The port serving <c>/healthz</c>, or null (chaincode hosts, PostgreSQL: readiness is the open endpoint port).</summary>
    public int? OperationsPort { get; init; }

    public string Log { get; init; } = "";
}
