namespace ZonCoin.Chaincode.Hosting;

/// <summary>
/// Chaincode as a service (CCaaS): where the chaincode listens for the peer and which package id it registers with.
/// <see cref="FromEnvironment"/> reads Fabric's variables: <c>CHAINCODE_ID</c>, <c>CHAINCODE_SERVER_ADDRESS</c>,
/// <c>CHAINCODE_TLS_CERT_FILE</c>, <c>CHAINCODE_TLS_KEY_FILE</c> and <c>CHAINCODE_TLS_CLIENT_CA_FILE</c>.
/// </summary>
public sealed record ChaincodeServerOptions
{
    /// <summary>The chaincode package id the peer expects, e.g. <c>basic_1.0:4ec1...</c>; sent in REGISTER.</summary>
    public string ChaincodeId { get; set; } = "";

    /// <summary>The listen address, <c>host:port</c> (e.g. <c>0.0.0.0:9999</c>); port 0 picks a free port.</summary>
    public string Address { get; set; } = "";

    /// <summary>The server certificate (PEM); with <see cref="TlsKeyFile"/> it switches TLS on. Without both: plaintext h2c.</summary>
    public string? TlsCertificateFile { get; set; }

    /// <summary>The server certificate's private key (PEM).</summary>
    public string? TlsKeyFile { get; set; }

    /// <summary>CA certificates (PEM) that the peer's client certificate must chain to; setting it requires client certificates.</summary>
    public string? TlsClientCaFile { get; set; }

    /// <summary>True when TLS files are set.</summary>
    public bool TlsEnabled => !string.IsNullOrEmpty(TlsCertificateFile) || !string.IsNullOrEmpty(TlsKeyFile);

    /// <summary>Reads the options from environment variables; null when <c>CHAINCODE_SERVER_ADDRESS</c> is not set.</summary>
    /// <param name="environment">Reads a variable; <see cref="Environment.GetEnvironmentVariable(string)"/> when null.</param>
    public static ChaincodeServerOptions? FromEnvironment(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var address = environment("CHAINCODE_SERVER_ADDRESS");
        if (string.IsNullOrWhiteSpace(address))
        {
            return null;
        }
        var id = environment("CHAINCODE_ID");
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new InvalidOperationException("CHAINCODE_SERVER_ADDRESS is set but CHAINCODE_ID is not: set it to the chaincode package id the peer expects");
        }
        return new ChaincodeServerOptions
        {
            ChaincodeId = id,
            Address = address,
            TlsCertificateFile = Blank(environment("CHAINCODE_TLS_CERT_FILE")),
            TlsKeyFile = Blank(environment("CHAINCODE_TLS_KEY_FILE")),
            TlsClientCaFile = Blank(environment("CHAINCODE_TLS_CLIENT_CA_FILE")),
        };
    }

    /// <summary>Problems with the options; empty when they are usable.</summary>
    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(ChaincodeId))
        {
            yield return "the chaincode id (CHAINCODE_ID) is empty";
        }
        var colon = Address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(Address.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            || port > System.Net.IPEndPoint.MaxPort)
        {
            yield return $"chaincode server address '{Address}' (CHAINCODE_SERVER_ADDRESS) is not host:port";
        }
        if (TlsEnabled && (string.IsNullOrEmpty(TlsCertificateFile) || string.IsNullOrEmpty(TlsKeyFile)))
        {
            yield return "TLS needs both CHAINCODE_TLS_CERT_FILE and CHAINCODE_TLS_KEY_FILE";
        }
        if (!TlsEnabled && !string.IsNullOrEmpty(TlsClientCaFile))
        {
            yield return "CHAINCODE_TLS_CLIENT_CA_FILE needs TLS (CHAINCODE_TLS_CERT_FILE and CHAINCODE_TLS_KEY_FILE)";
        }
        foreach (var file in new[] { TlsCertificateFile, TlsKeyFile, TlsClientCaFile })
        {
            if (!string.IsNullOrEmpty(file) && !File.Exists(file))
            {
                yield return $"TLS file '{file}' does not exist";
            }
        }
    }

    /// <summary>Copies every setting onto <paramref name="target"/>.</summary>
    public void CopyTo(ChaincodeServerOptions target)
    {
        ArgumentNullException.ThrowIfNull(target);
        target.ChaincodeId = ChaincodeId;
        target.Address = Address;
        target.TlsCertificateFile = TlsCertificateFile;
        target.TlsKeyFile = TlsKeyFile;
        target.TlsClientCaFile = TlsClientCaFile;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

/// <summary>
/// Launch mode, where the chaincode dials the peer's <c>/protos.ChaincodeSupport/Register</c>: Fabric's
/// <c>CORE_PEER_ADDRESS</c>, <c>CORE_CHAINCODE_ID_NAME</c>, and for (mutual) TLS <c>CORE_PEER_TLS_ENABLED</c>,
/// <c>CORE_PEER_TLS_ROOTCERT_FILE</c> (PEM) and <c>CORE_TLS_CLIENT_KEY_PATH</c> / <c>CORE_TLS_CLIENT_CERT_PATH</c>
/// (files holding base64 of the PEM, as the peer writes them).
/// </summary>
public sealed record ChaincodeClientOptions
{
    /// <summary>The peer's chaincode address, <c>host:port</c>.</summary>
    public required string PeerAddress { get; init; }

    /// <summary>The chaincode id to register with (CORE_CHAINCODE_ID_NAME).</summary>
    public required string ChaincodeId { get; init; }

    /// <summary>Dial with mutual TLS.</summary>
    public bool TlsEnabled { get; init; }

    /// <summary>The peer's TLS root CA (PEM file).</summary>
    public string? RootCertificateFile { get; init; }

    /// <summary>The client key: a file holding base64 of the PEM key.</summary>
    public string? ClientKeyFile { get; init; }

    /// <summary>The client certificate: a file holding base64 of the PEM certificate.</summary>
    public string? ClientCertificateFile { get; init; }

    /// <summary>Reads the options from environment variables; null when <c>CORE_PEER_ADDRESS</c> is not set.</summary>
    /// <param name="environment">Reads a variable; <see cref="Environment.GetEnvironmentVariable(string)"/> when null.</param>
    public static ChaincodeClientOptions? FromEnvironment(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var address = environment("CORE_PEER_ADDRESS");
        if (string.IsNullOrWhiteSpace(address))
        {
            return null;
        }
        var id = environment("CORE_CHAINCODE_ID_NAME");
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new InvalidOperationException("CORE_PEER_ADDRESS is set but CORE_CHAINCODE_ID_NAME is not");
        }
        return new ChaincodeClientOptions
        {
            PeerAddress = address,
            ChaincodeId = id,
            TlsEnabled = string.Equals(environment("CORE_PEER_TLS_ENABLED"), "true", StringComparison.OrdinalIgnoreCase),
            RootCertificateFile = environment("CORE_PEER_TLS_ROOTCERT_FILE"),
            ClientKeyFile = environment("CORE_TLS_CLIENT_KEY_PATH"),
            ClientCertificateFile = environment("CORE_TLS_CLIENT_CERT_PATH"),
        };
    }
}
