using System.Security.Cryptography.X509Certificates;
using System.Text;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ZonCoin.Chaincode.Shim;
using ZonCoin.Core.Crypto;
using ZonCoin.Rpc.Client;
using ZonCoin.Rpc.Services;

namespace ZonCoin.Chaincode.Hosting;

/// <summary>
/// Launch mode: the chaincode dials the peer's <c>/protos.ChaincodeSupport/Register</c>, registers with
/// <see cref="ChaincodeClientOptions.ChaincodeId"/> and serves transactions until the peer closes the stream.
/// </summary>
public static class ChaincodePeerClient
{
    /// <summary>Connects to the peer and serves <paramref name="chaincode"/> until the stream ends or <paramref name="cancellationToken"/> fires.</summary>
    /// <param name="chaincode">The chaincode.</param>
    /// <param name="options">The peer address, chaincode id and TLS files.</param>
    /// <param name="loggerFactory">Logging, or null for none.</param>
    /// <param name="cancellationToken">Ends the connection.</param>
    public static async Task RunAsync(IChaincode chaincode, ChaincodeClientOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chaincode);
        ArgumentNullException.ThrowIfNull(options);
        loggerFactory ??= NullLoggerFactory.Instance;
        var address = options.PeerAddress;
        foreach (var scheme in new[] { "grpcs://", "grpc://" })
        {
            if (address.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                address = address[scheme.Length..];
            }
        }
        using var channel = RpcChannels.ForAddress($"{(options.TlsEnabled ? "https" : "http")}://{address}", ChannelOptions(options));
        using var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(ChaincodeSupportService.Register, null, new CallOptions(cancellationToken: cancellationToken));
        using var session = new ChaincodeSession(chaincode, options.ChaincodeId, call.RequestStream, loggerFactory.CreateLogger("ZonCoin.Chaincode.Shim.ChaincodeSession"));
        await session.RunAsync(call.ResponseStream, cancellationToken).ConfigureAwait(false);
        await call.RequestStream.CompleteAsync().ConfigureAwait(false);
    }

    private static RpcChannelOptions ChannelOptions(ChaincodeClientOptions options)
    {
        if (!options.TlsEnabled)
        {
            return new RpcChannelOptions();
        }
        if (string.IsNullOrEmpty(options.RootCertificateFile) || string.IsNullOrEmpty(options.ClientKeyFile) || string.IsNullOrEmpty(options.ClientCertificateFile))
        {
            throw new InvalidOperationException(
                "The client key and cert are needed when TLS is enabled: set CORE_PEER_TLS_ROOTCERT_FILE, CORE_TLS_CLIENT_KEY_PATH and CORE_TLS_CLIENT_CERT_PATH");
        }
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(options.RootCertificateFile);
        var certificatePem = Base64Pem(options.ClientCertificateFile);
        var keyPem = Base64Pem(options.ClientKeyFile);
        using var key = Pem.ReadPrivateKey(keyPem);
        using var certificate = X509Certificate2.CreateFromPem(certificatePem);
        using var withKey = certificate.CopyWithPrivateKey(key);
        var client = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        return new RpcChannelOptions { RootCertificates = roots, ClientCertificate = client };
    }

    /// <summary>The peer writes the client key and certificate files as base64 of the PEM text.</summary>
    private static string Base64Pem(string path)
    {
        var text = File.ReadAllText(path).Trim();
        return text.StartsWith("-----BEGIN", StringComparison.Ordinal) ? text : Encoding.UTF8.GetString(Convert.FromBase64String(text));
    }
}
