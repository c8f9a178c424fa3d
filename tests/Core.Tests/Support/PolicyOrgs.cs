using System.Collections.Concurrent;
using System.Security.Cryptography;
using Google.Protobuf;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Policies;

namespace ZonCoin.Core.Tests.Support;

/// <summary>
/// Real organisations for policy tests, created once per test collection: Org1MSP, Org2MSP, Org3MSP and
/// OrdererMSP in the channel's <see cref="MspManager"/>, plus Org9MSP which the channel does not know.
/// Org3MSP also lists one client certificate as an admin in its MSP definition.
/// </summary>
/// <remarks>
/// Signers are named <c>Org.role[#k][:modifier]</c>: <c>Org1.peer</c>, a second distinct identity
/// <c>Org1.peer#2</c>, and the modifiers <c>:bad</c> (signature over other bytes), <c>:highs</c> (valid
/// signature rewritten to high S), <c>:foreign</c> (certificate issued by Org2's CA but claiming Org1's MSP
/// ID). <c>Org3.listedadmin</c> is the client certificate listed in Org3's admins; <c>garbage</c> is identity
/// bytes that do not parse.
/// </remarks>
public sealed class PolicyOrgs : IDisposable
{
    /// <summary>The bytes every test signs.</summary>
    public static readonly byte[] Payload = "a proposal to endorse"u8.ToArray();

    private static readonly Dictionary<string, string> MspIds = new(StringComparer.Ordinal)
    {
        ["Org1"] = "Org1MSP",
        ["Org2"] = "Org2MSP",
        ["Org3"] = "Org3MSP",
        ["Orderer"] = "OrdererMSP",
        ["Org9"] = "Org9MSP",
    };

    private readonly Dictionary<string, TestOrg> _orgs = [];
    private readonly ConcurrentDictionary<string, Signer> _signers = new(StringComparer.Ordinal);

    public PolicyOrgs()
    {
        foreach (var (name, mspId) in MspIds)
        {
            _orgs[name] = new TestOrg(mspId);
        }
        // Org3 lists a client certificate among its admins.
        var listed = _orgs["Org3"].Ca.Issue(new CertificateSpec { CommonName = "listed-admin.org3", OrganizationalUnits = [MspConfigs.ClientOu] });
        _signers["Org3.listedadmin"] = new Signer(MspIdentity.Serialize("Org3MSP", listed.Certificate), listed.Key);
        var org3Config = MspConfigs.Create("Org3MSP", [_orgs["Org3"].Ca.Certificate]);
        org3Config.Admins.Add(ByteString.CopyFromUtf8(Pem.Certificate(listed.Certificate)));
        Msps = new MspManager([_orgs["Org1"].Msp, _orgs["Org2"].Msp, Msp.Create(org3Config), _orgs["Orderer"].Msp]);
    }

    /// <summary>The channel's MSPs (Org9MSP is not among them).</summary>
    public MspManager Msps { get; }

    /// <summary>Signed data for each named signer over <see cref="Payload"/>.</summary>
    public IReadOnlyList<SignedData> Sign(IEnumerable<string> signers) => [.. signers.Select(Sign)];

    /// <summary>Signed data for one named signer over <see cref="Payload"/>.</summary>
    public SignedData Sign(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec == "garbage")
        {
            return new SignedData(Payload, [0x0a, 0xff, 0x01], [0x30, 0x00]);
        }
        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        var modifier = colon < 0 ? "" : spec[(colon + 1)..];
        var name = colon < 0 ? spec : spec[..colon];
        var signer = modifier == "foreign" ? _signers.GetOrAdd(spec, Foreign) : _signers.GetOrAdd(name, Issue);
        var signature = modifier switch
        {
            "" or "foreign" => EcdsaSignatures.Sign(signer.Key, Payload),
            "bad" => EcdsaSignatures.Sign(signer.Key, "some other bytes"u8),
            "highs" => HighS(signer.Key, EcdsaSignatures.Sign(signer.Key, Payload)),
            _ => throw new ArgumentException($"unknown signer modifier '{modifier}'", nameof(spec)),
        };
        return new SignedData(Payload, signer.Serialized, signature);
    }

    public void Dispose()
    {
        foreach (var signer in _signers.Values)
        {
            signer.Key.Dispose();
        }
        foreach (var org in _orgs.Values)
        {
            org.Dispose();
        }
    }

    private Signer Issue(string name)
    {
        var (org, role) = Split(name);
        var issued = _orgs[org].Ca.Issue(new CertificateSpec { CommonName = $"{name}.{org}", Organization = MspIds[org], OrganizationalUnits = [role] });
        return new Signer(MspIdentity.Serialize(MspIds[org], issued.Certificate), issued.Key);
    }

    private Signer Foreign(string spec)
    {
        var (org, role) = Split(spec[..spec.IndexOf(':', StringComparison.Ordinal)]);
        var otherCa = org == "Org2" ? _orgs["Org1"].Ca : _orgs["Org2"].Ca;
        var issued = otherCa.Issue(new CertificateSpec { CommonName = $"impostor.{org}", OrganizationalUnits = [role] });
        return new Signer(MspIdentity.Serialize(MspIds[org], issued.Certificate), issued.Key);
    }

    private static (string Org, string Role) Split(string name)
    {
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        var hash = name.IndexOf('#', StringComparison.Ordinal);
        return (name[..dot], hash < 0 ? name[(dot + 1)..] : name[(dot + 1)..hash]);
    }

    private static byte[] HighS(ECDsa key, byte[] signature)
    {
        if (!EcdsaSignatures.TryReadRs(signature, out var r, out var s))
        {
            throw new InvalidOperationException("signature is not DER");
        }
        return EcdsaSignatures.WriteRs(r, EcdsaSignatures.OrderOf(key) - s);
    }

    private sealed record Signer(byte[] Serialized, ECDsa Key);
}

/// <summary>The collection that shares one <see cref="PolicyOrgs"/> between policy test classes.</summary>
[CollectionDefinition(Name)]
public sealed class PolicyFixtureDefinition : ICollectionFixture<PolicyOrgs>
{
    public const string Name = "Policies";
}
