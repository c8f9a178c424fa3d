using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ZonCoin.Gateway.Client;

/// <summary>
/// Everything needed to connect as an organization's client: the gateway endpoint and its TLS settings, the
/// user's (and optionally the admin's) certificate and key files, and the channels. Stored as camelCase JSON;
/// every path is absolute.
/// </summary>
public sealed record ConnectionProfile
{
    /// <summary>The organization's name, e.g. <c>Manufacturer</c>.</summary>
    public string Name { get; init; } = "";

    /// <summary>The organization's MSP ID, e.g. <c>ManufacturerMSP</c>.</summary>
    public string MspId { get; init; } = "";

    /// <summary>Where the gateway listens and how to reach it.</summary>
    public GatewayProfile Gateway { get; init; } = new();

    /// <summary>The client user's certificate and key.</summary>
    public IdentityProfile Identity { get; init; } = new();

    /// <summary>The organization admin's certificate and key, if the profile has them.</summary>
    public IdentityProfile? Admin { get; init; }

    /// <summary>The channels the organization is a member of.</summary>
    public IReadOnlyList<string> Channels { get; init; } = [];

    /// <summary>
    /// Reads and validates a profile; throws <see cref="InvalidDataException"/> naming the file and the field for a
    /// bad one, <see cref="FileNotFoundException"/> for a missing file.
    /// </summary>
    public static ConnectionProfile Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"connection profile '{path}' does not exist", path);
        }
        ConnectionProfile? profile;
        try
        {
            profile = JsonSerializer.Deserialize(File.ReadAllText(path), ProfileJson.Default.ConnectionProfile);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"connection profile '{path}' is not valid JSON for a profile: {ex.Message}", ex);
        }
        if (profile is null)
        {
            throw new InvalidDataException($"connection profile '{path}' holds null instead of a profile object");
        }
        // The build-time JSON sets an absent init-only property to null, where its initializer gave a default.
        profile = profile with
        {
            Name = profile.Name ?? "",
            MspId = profile.MspId ?? "",
            Gateway = profile.Gateway ?? new(),
            Identity = profile.Identity ?? new(),
            Channels = profile.Channels ?? [],
        };
        profile.Validate($"connection profile '{path}'");
        return profile;
    }

    /// <summary>Validates the profile and writes it as indented JSON to <paramref name="path"/> (replacing it atomically).</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Validate("connection profile");
        var fullPath = Path.GetFullPath(path);
        var temporary = $"{fullPath}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllText(temporary, JsonSerializer.Serialize(this, ProfileJson.Default.ConnectionProfile) + "\n");
            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Throws <see cref="InvalidDataException"/> naming <paramref name="source"/> and the first bad field.</summary>
    internal void Validate(string source)
    {
        Require(source, "name", Name);
        Require(source, "mspId", MspId);
        if (Gateway is null)
        {
            throw Invalid(source, "gateway", "is missing");
        }
        Require(source, "gateway.endpoint", Gateway.Endpoint);
        var colon = Gateway.Endpoint.LastIndexOf(':');
        if (colon <= 0 || Gateway.Endpoint.Contains("://", StringComparison.Ordinal)
            || !int.TryParse(Gateway.Endpoint[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw Invalid(source, "gateway.endpoint", $"'{Gateway.Endpoint}' is not host:port");
        }
        if (Gateway.TlsRootCertPath is not null)
        {
            RequireAbsolute(source, "gateway.tlsRootCertPath", Gateway.TlsRootCertPath);
        }
        if (Gateway.HostnameOverride is { Length: 0 })
        {
            throw Invalid(source, "gateway.hostnameOverride", "is empty; use null for none");
        }
        ValidateIdentity(source, "identity", Identity);
        if (Admin is not null)
        {
            ValidateIdentity(source, "admin", Admin);
        }
        if (Channels is null)
        {
            throw Invalid(source, "channels", "is missing");
        }
        for (var i = 0; i < Channels.Count; i++)
        {
            Require(source, $"channels[{i}]", Channels[i]);
        }
    }

    private static void ValidateIdentity(string source, string field, IdentityProfile? identity)
    {
        if (identity is null)
        {
            throw Invalid(source, field, "is missing");
        }
        RequireAbsolute(source, $"{field}.certPath", identity.CertPath);
        RequireAbsolute(source, $"{field}.keyPath", identity.KeyPath);
    }

    private static void Require(string source, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw Invalid(source, field, "is missing or empty");
        }
    }

    private static void RequireAbsolute(string source, string field, string? value)
    {
        Require(source, field, value);
        if (!Path.IsPathFullyQualified(value!))
        {
            throw Invalid(source, field, $"'{value}' is not an absolute path");
        }
    }

    private static InvalidDataException Invalid(string source, string field, string problem) =>
        new($"{source}: field '{field}' {problem}");
}

/// <summary>A gateway endpoint in a <see cref="ConnectionProfile"/>.</summary>
public sealed record GatewayProfile
{
    /// <summary><c>host:port</c> of the gateway.</summary>
    public string Endpoint { get; init; } = "";

    /// <summary>The PEM CA bundle the gateway's TLS certificate chains to (absolute path), or null for plain h2c.</summary>
    public string? TlsRootCertPath { get; init; }

    /// <summary>The name to expect in the gateway's TLS certificate instead of the endpoint's host, or null.</summary>
    public string? HostnameOverride { get; init; }
}

/// <summary>Certificate and private key files of an identity in a <see cref="ConnectionProfile"/>.</summary>
public sealed record IdentityProfile
{
    /// <summary>The PEM certificate (absolute path).</summary>
    public string CertPath { get; init; } = "";

    /// <summary>The PEM private key (absolute path).</summary>
    public string KeyPath { get; init; } = "";
}

/// <summary>The connection profile's JSON, generated at build time (applications compiled ahead of time can read profiles too).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(ConnectionProfile))]
internal sealed partial class ProfileJson : JsonSerializerContext;
