using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZonCoin.Core.Crypto;
using ZonCoin.Gateway.Client.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Gateway;
using ZonCoin.Rpc.Client;
using ZonCoin.Rpc.Server;

namespace ZonCoin.Gateway.Client.Tests;

/// <summary>TLS from a connection profile, and the TLS binding of block-events requests.</summary>
public sealed class TlsTests : IDisposable
{
    private readonly TestIdentity _client = new();
    private readonly CertificateAuthority _tlsCa = CertificateAuthority.CreateRoot("tlsca.org1", "Org1MSP");
    private readonly string _directory = Directory.CreateTempSubdirectory("zoncoin-tls-").FullName;

    public void Dispose()
    {
        Directory.Delete(_directory, recursive: true);
        _tlsCa.Dispose();
        _client.Dispose();
    }

    private X509Certificate2 IssueTls(string name, IReadOnlyList<string> dnsNames)
    {
        var issued = _tlsCa.Issue(new CertificateSpec { CommonName = name, DnsNames = dnsNames, ForTls = true });
        using var key = issued.Key;
        using var certificate = issued.Certificate;
        using var withKey = certificate.CopyWithPrivateKey(key);
        // Through PKCS#12 so the key is persisted: SslStream on Linux refuses some ephemeral keys.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    [Fact]
    public async Task A_profile_with_a_tls_root_and_hostname_override_connects_over_tls()
    {
        using var serverCertificate = IssueTls("gateway.org1", ["gateway.org1"]);
        await using var server = await FakeGatewayServer.StartAsync(new RpcServerTlsOptions(serverCertificate));
        var rootPath = Path.Combine(_directory, "tlsca.pem");
        var certPath = Path.Combine(_directory, "cert.pem");
        var keyPath = Path.Combine(_directory, "key.pem");
        await File.WriteAllTextAsync(rootPath, Pem.Certificate(_tlsCa.Certificate));
        await File.WriteAllBytesAsync(certPath, _client.CertificatePem);
        await File.WriteAllTextAsync(keyPath, _client.KeyPem);
        var profile = new ConnectionProfile
        {
            Name = "Org1",
            MspId = "Org1MSP",
            Gateway = new GatewayProfile { Endpoint = new Uri(server.Address).Authority, TlsRootCertPath = rootPath, HostnameOverride = "gateway.org1" },
            Identity = new IdentityProfile { CertPath = certPath, KeyPath = keyPath },
            Admin = new IdentityProfile { CertPath = certPath, KeyPath = keyPath },
            Channels = ["supplychain"],
        };
        var path = Path.Combine(_directory, "profile.json");
        profile.Save(path);

        using (var gateway = Gateway.Connect(ConnectionProfile.Load(path), asAdmin: true))
        {
            await gateway.GetNetwork("supplychain").GetContract("trade").EvaluateTransactionAsync("read");
        }

        Assert.Single(server.Requests<EvaluateRequest>("Evaluate"));
    }

    [Fact]
    public void Block_events_requests_carry_the_hash_of_the_client_tls_certificate_given_under_mutual_tls()
    {
        using var clientCertificate = IssueTls("client.org1", ["client.org1"]);
        using var channel = RpcChannels.ForAddress("https://127.0.0.1:9", new RpcChannelOptions { ClientCertificate = clientCertificate });
        var hash = SHA256.HashData(clientCertificate.RawData);
        using var bound = Gateway.Connect(channel, _client.Identity, _client.Signer, new GatewayOptions { TlsClientCertificateHash = hash });
        using var unbound = Gateway.Connect(channel, _client.Identity, _client.Signer);

        var withHash = bound.GetNetwork("supplychain").NewBlockEventsRequest();
        var withoutHash = unbound.GetNetwork("supplychain").NewFilteredBlockEventsRequest();

        Assert.Equal(hash, ChannelHeaderOf(withHash.Bytes).TlsCertHash.ToByteArray());
        Assert.True(ChannelHeaderOf(withoutHash.Bytes).TlsCertHash.IsEmpty);
    }

    private static ChannelHeader ChannelHeaderOf(byte[] payload) =>
        ChannelHeader.Parser.ParseFrom(Payload.Parser.ParseFrom(payload).Header.ChannelHeader);
}
