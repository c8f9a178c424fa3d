using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using ZonCoin.Protos.Msp;

namespace ZonCoin.Chaincode.Shim;

/// <summary>
/// The identity that submitted the transaction, read from the proposal's creator (fabric-shim's
/// <c>ClientIdentity</c>): its MSP ID, a unique id built from the certificate's subject and issuer, and the
/// attributes a Fabric CA wrote into the certificate (extension 1.2.3.4.5.6.7.8.1, <c>{"attrs":{...}}</c>).
/// </summary>
public sealed class ClientIdentity
{
    /// <summary>The OID of the extension in which Fabric CA stores attributes.</summary>
    public const string AttributesOid = "1.2.3.4.5.6.7.8.1";

    private static readonly Dictionary<string, string> ShortNames = new(StringComparer.Ordinal)
    {
        ["2.5.4.3"] = "CN",
        ["2.5.4.5"] = "serialName",
        ["2.5.4.6"] = "C",
        ["2.5.4.7"] = "L",
        ["2.5.4.8"] = "ST",
        ["2.5.4.9"] = "street",
        ["2.5.4.10"] = "O",
        ["2.5.4.11"] = "OU",
        ["0.9.2342.19200300.100.1.25"] = "DC",
        ["1.2.840.113549.1.9.1"] = "E",
    };

    private readonly Dictionary<string, string> _attributes;

    private ClientIdentity(string mspId, byte[] idBytes, X509Certificate2 certificate, Dictionary<string, string> attributes)
    {
        MspId = mspId;
        IdBytes = idBytes;
        Certificate = certificate;
        _attributes = attributes;
        Id = $"x509::{FormatName(certificate.SubjectName)}::{FormatName(certificate.IssuerName)}";
    }

    /// <summary>The MSP ID of the submitter's organisation.</summary>
    public string MspId { get; }

    /// <summary>
    /// A unique id within the MSP, formatted as fabric-shim 2.5 does: <c>x509::/C=US/O=Org1/CN=user1::/C=US/O=Org1/CN=ca.org1</c>,
    /// the subject and issuer name components in certificate order, each written <c>/SHORTNAME=value</c>.
    /// </summary>
    public string Id { get; }

    /// <summary>The <c>id_bytes</c> of the serialized identity (the PEM certificate).</summary>
    public ReadOnlyMemory<byte> IdBytes { get; }

    /// <summary>The submitter's certificate.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The Fabric CA attributes of the certificate; empty when it has none.</summary>
    public IReadOnlyDictionary<string, string> Attributes => _attributes;

    /// <summary>Reads the creator of a transaction; throws when the stub has no proposal or the creator is no X.509 identity.</summary>
    /// <param name="stub">The transaction.</param>
    public static ClientIdentity FromStub(IChaincodeStub stub)
    {
        ArgumentNullException.ThrowIfNull(stub);
        if (stub.Creator.IsEmpty)
        {
            throw new InvalidOperationException("the transaction has no signed proposal, so it has no creator identity");
        }
        return FromSerializedIdentity(stub.Creator.Span);
    }

    /// <summary>Reads a serialized <c>msp.SerializedIdentity</c> with a PEM certificate.</summary>
    /// <param name="serializedIdentity">The identity bytes.</param>
    public static ClientIdentity FromSerializedIdentity(ReadOnlySpan<byte> serializedIdentity)
    {
        var identity = SerializedIdentity.Parser.ParseFrom(serializedIdentity);
        var idBytes = identity.IdBytes.ToByteArray();
        var certificate = X509Certificate2.CreateFromPem(Encoding.UTF8.GetString(idBytes));
        return new ClientIdentity(identity.Mspid, idBytes, certificate, ReadAttributes(certificate));
    }

    /// <summary>The value of attribute <paramref name="name"/>, or null when the identity does not have it.</summary>
    /// <param name="name">The attribute name, e.g. <c>hf.EnrollmentID</c> or <c>role</c>.</param>
    public string? GetAttributeValue(string name) =>
        _attributes.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    /// <summary>True when the identity has attribute <paramref name="name"/> with exactly <paramref name="value"/>.</summary>
    /// <param name="name">The attribute name.</param>
    /// <param name="value">The expected value.</param>
    public bool AssertAttributeValue(string name, string value) =>
        GetAttributeValue(name) is { } actual && string.Equals(actual, value, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override string ToString() => $"{MspId}:{Id}";

    private static Dictionary<string, string> ReadAttributes(X509Certificate2 certificate)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        var extension = certificate.Extensions[AttributesOid];
        if (extension is null)
        {
            return attributes;
        }
        using var json = JsonDocument.Parse(extension.RawData);
        if (json.RootElement.ValueKind == JsonValueKind.Object
            && json.RootElement.TryGetProperty("attrs", out var attrs) && attrs.ValueKind == JsonValueKind.Object)
        {
            foreach (var attribute in attrs.EnumerateObject())
            {
                attributes[attribute.Name] = attribute.Value.ValueKind == JsonValueKind.String ? attribute.Value.GetString()! : attribute.Value.GetRawText();
            }
        }
        return attributes;
    }

    private static string FormatName(X500DistinguishedName name)
    {
        var text = new StringBuilder();
        foreach (var rdn in name.EnumerateRelativeDistinguishedNames(reversed: false))
        {
            if (rdn.HasMultipleElements)
            {
                continue;
            }
            var oid = rdn.GetSingleElementType().Value ?? "";
            var value = rdn.GetSingleElementValue() ?? "";
            // fabric-shim escapes only the first '/' (JavaScript's String.replace with a string pattern).
            var slash = value.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                value = string.Concat(value.AsSpan(0, slash), "\\/", value.AsSpan(slash + 1));
            }
            text.Append('/').Append(ShortNames.GetValueOrDefault(oid, oid)).Append('=').Append(value);
        }
        return text.ToString();
    }
}
