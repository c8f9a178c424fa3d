using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using YamlDotNet.RepresentationModel;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Protocol;
using ZonCoin.Protos.Msp;

namespace ZonCoin.Core.Identity;

/// <summary>
/// An MSP folder in Fabric's layout: <c>cacerts/</c>, <c>intermediatecerts/</c>, <c>admincerts/</c>,
/// <c>tlscacerts/</c>, <c>tlsintermediatecerts/</c>, <c>crls/</c>, <c>config.yaml</c> (node OUs) and, for a
/// local signing identity, <c>signcerts/</c> and <c>keystore/</c>. This is the only file I/O in Core: every
/// node and the CLI load their identities through it.
/// </summary>
public static class MspDirectory
{
    private const string CaCerts = "cacerts";
    private const string IntermediateCerts = "intermediatecerts";
    private const string AdminCerts = "admincerts";
    private const string TlsCaCerts = "tlscacerts";
    private const string TlsIntermediateCerts = "tlsintermediatecerts";
    private const string Crls = "crls";
    private const string SignCerts = "signcerts";
    private const string KeyStore = "keystore";
    private const string ConfigFile = "config.yaml";

    /// <summary>Writes an MSP folder; <paramref name="signer"/> adds signcerts/ and keystore/ for a local identity.</summary>
    public static void Write(
        string directory,
        X509Certificate2 rootCa,
        X509Certificate2 tlsRootCa,
        IssuedCertificate? signer = null,
        IEnumerable<X509Certificate2>? intermediates = null)
    {
        ArgumentNullException.ThrowIfNull(rootCa);
        ArgumentNullException.ThrowIfNull(tlsRootCa);
        WriteText(Path.Combine(directory, CaCerts, "ca-cert.pem"), Pem.Certificate(rootCa));
        WriteText(Path.Combine(directory, TlsCaCerts, "tlsca-cert.pem"), Pem.Certificate(tlsRootCa));
        var index = 0;
        foreach (var intermediate in intermediates ?? [])
        {
            WriteText(Path.Combine(directory, IntermediateCerts, $"ica-{index++}-cert.pem"), Pem.Certificate(intermediate));
        }
        Directory.CreateDirectory(Path.Combine(directory, AdminCerts));
        WriteText(Path.Combine(directory, ConfigFile), NodeOusYaml($"{CaCerts}/ca-cert.pem"));
        if (signer is not null)
        {
            WriteText(Path.Combine(directory, SignCerts, "cert.pem"), Pem.Certificate(signer.Certificate));
            WritePrivateKey(Path.Combine(directory, KeyStore, "key.pem"), Pem.PrivateKey(signer.Key));
        }
    }

    /// <summary>Reads the MSP definition (what a channel configuration carries) from an MSP folder.</summary>
    public static FabricMSPConfig LoadDefinition(string directory, string mspId)
    {
        if (!Directory.Exists(directory))
        {
            throw new MspConfigurationException($"MSP folder '{directory}' does not exist");
        }
        var config = new FabricMSPConfig
        {
            Name = mspId,
            CryptoConfig = new FabricCryptoConfig { SignatureHashFamily = "SHA2", IdentityIdentifierHashFunction = "SHA256" },
        };
        config.RootCerts.AddRange(ReadPemFiles(directory, CaCerts));
        config.IntermediateCerts.AddRange(ReadPemFiles(directory, IntermediateCerts));
        config.Admins.AddRange(ReadPemFiles(directory, AdminCerts));
        config.TlsRootCerts.AddRange(ReadPemFiles(directory, TlsCaCerts));
        config.TlsIntermediateCerts.AddRange(ReadPemFiles(directory, TlsIntermediateCerts));
        config.RevocationList.AddRange(ReadPemFiles(directory, Crls));
        if (config.RootCerts.Count == 0)
        {
            throw new MspConfigurationException($"MSP folder '{directory}' has no certificates in {CaCerts}/");
        }
        var configPath = Path.Combine(directory, ConfigFile);
        if (File.Exists(configPath))
        {
            config.FabricNodeOus = ReadNodeOus(directory, configPath);
        }
        // Validate now, so that a broken folder is reported here and not at first use.
        Msp.Create(config);
        return config;
    }

    /// <summary>Loads the local signing identity (signcerts/ and keystore/) of an MSP folder.</summary>
    public static SigningIdentity LoadSigningIdentity(string directory, string mspId)
    {
        var certificateFile = SingleFile(directory, SignCerts);
        var keyFile = SingleFile(directory, KeyStore);
        X509Certificate2 certificate;
        try
        {
            certificate = Pem.ReadCertificate(File.ReadAllText(certificateFile));
        }
        catch (CryptoException ex)
        {
            throw new MspConfigurationException($"'{certificateFile}': {ex.Message}", ex);
        }
        EcdsaSigner signer;
        try
        {
            signer = EcdsaSigner.FromPemFile(keyFile);
        }
        catch (CryptoException ex)
        {
            throw new MspConfigurationException($"'{keyFile}': {ex.Message}", ex);
        }
        var probe = signer.Sign("zoncoin key check"u8);
        using var publicKey = certificate.GetECDsaPublicKey();
        if (publicKey is null || !EcdsaSignatures.Verify(publicKey, "zoncoin key check"u8, probe))
        {
            throw new MspConfigurationException($"key '{keyFile}' does not belong to certificate '{certificateFile}'");
        }
        return new SigningIdentity(mspId, MspIdentity.Serialize(mspId, certificate), signer);
    }

    /// <summary>Fabric's config.yaml enabling node OUs that point at the given CA certificate.</summary>
    public static string NodeOusYaml(string caCertificatePath) =>
        $"""
        NodeOUs:
          Enable: true
          ClientOUIdentifier:
            Certificate: {caCertificatePath}
            OrganizationalUnitIdentifier: {MspConfigs.ClientOu}
          PeerOUIdentifier:
            Certificate: {caCertificatePath}
            OrganizationalUnitIdentifier: {MspConfigs.PeerOu}
          AdminOUIdentifier:
            Certificate: {caCertificatePath}
            OrganizationalUnitIdentifier: {MspConfigs.AdminOu}
          OrdererOUIdentifier:
            Certificate: {caCertificatePath}
            OrganizationalUnitIdentifier: {MspConfigs.OrdererOu}

        """;

    private static FabricNodeOUs ReadNodeOus(string directory, string configPath)
    {
        // Read through YamlDotNet's document model, not its reflection-based deserializer, so the services can be
        // compiled ahead of time. Unknown keys are ignored, as Fabric's own reader does.
        YamlMappingNode? root;
        try
        {
            var stream = new YamlStream();
            using (var reader = new StringReader(File.ReadAllText(configPath)))
            {
                stream.Load(reader);
            }
            root = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode as YamlMappingNode;
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new MspConfigurationException($"'{configPath}' is not valid YAML: {ex.Message}", ex);
        }
        if (Child(root, "NodeOUs") is not YamlMappingNode nodeOus)
        {
            return new FabricNodeOUs { Enable = false };
        }
        return new FabricNodeOUs
        {
            Enable = Child(nodeOus, "Enable") is YamlScalarNode enable && ParseBool(enable.Value, configPath),
            ClientOuIdentifier = Identifier(directory, Child(nodeOus, "ClientOUIdentifier")),
            PeerOuIdentifier = Identifier(directory, Child(nodeOus, "PeerOUIdentifier")),
            AdminOuIdentifier = Identifier(directory, Child(nodeOus, "AdminOUIdentifier")),
            OrdererOuIdentifier = Identifier(directory, Child(nodeOus, "OrdererOUIdentifier")),
        };
    }

    private static YamlNode? Child(YamlMappingNode? mapping, string key) =>
        mapping is not null && mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string? Scalar(YamlMappingNode mapping, string key) => (Child(mapping, key) as YamlScalarNode)?.Value;

    /// <summary>A YAML boolean as Fabric's reader (YAML 1.1) takes it: true/false, yes/no, on/off, any case.</summary>
    private static bool ParseBool(string? value, string configPath) => value?.ToUpperInvariant() switch
    {
        "TRUE" or "YES" or "ON" or "Y" => true,
        "FALSE" or "NO" or "OFF" or "N" or "" or null => false,
        _ => throw new MspConfigurationException($"'{configPath}': NodeOUs.Enable is '{value}', not a boolean"),
    };

    private static FabricOUIdentifier? Identifier(string directory, YamlNode? node)
    {
        if (node is not YamlMappingNode yaml)
        {
            return null;
        }
        var certificate = Scalar(yaml, "Certificate");
        var identifier = new FabricOUIdentifier { OrganizationalUnitIdentifier = Scalar(yaml, "OrganizationalUnitIdentifier") ?? "" };
        if (!string.IsNullOrEmpty(certificate))
        {
            var path = Path.Combine(directory, certificate);
            if (!File.Exists(path))
            {
                throw new MspConfigurationException($"node OU certificate '{path}' named in config.yaml does not exist");
            }
            identifier.Certificate = ByteString.CopyFrom(File.ReadAllBytes(path));
        }
        return identifier;
    }

    private static IEnumerable<ByteString> ReadPemFiles(string directory, string folder)
    {
        var path = Path.Combine(directory, folder);
        if (!Directory.Exists(path))
        {
            return [];
        }
        return Directory.EnumerateFiles(path).Order(StringComparer.Ordinal).Select(file => ByteString.CopyFrom(File.ReadAllBytes(file)));
    }

    private static string SingleFile(string directory, string folder)
    {
        var path = Path.Combine(directory, folder);
        var files = Directory.Exists(path) ? Directory.GetFiles(path) : [];
        return files.Length == 1
            ? files[0]
            : throw new MspConfigurationException($"MSP folder '{directory}' must hold exactly one file in {folder}/, found {files.Length}");
    }

    private static void WriteText(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    /// <summary>Writes a private key readable by its owner only.</summary>
    public static void WritePrivateKey(string path, string pem)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(pem);
    }
}
