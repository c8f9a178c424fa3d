using System.Security.Cryptography.X509Certificates;
using ZonCoin.Core.Crypto;
using ZonCoin.Rpc.Server;

namespace ZonCoin.Rpc.Tests;

/// <summary>@grpc/grpc-js over TLS (ALPN h2) and mutual TLS against our server.</summary>
[Collection(GrpcJsInteropGroup.Name)]
public sealed class GrpcJsTlsInteropTests : IDisposable
{
    private readonly CertificateAuthority _ca = CertificateAuthority.CreateRoot("tlsca.interop", "interop");
    private readonly CertificateAuthority _otherCa = CertificateAuthority.CreateRoot("tlsca.other", "other");
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("zoncoin-grpcjs-tls-");

    public void Dispose()
    {
        _ca.Dispose();
        _otherCa.Dispose();
        _dir.Delete(recursive: true);
    }

    [Fact]
    public async Task Grpc_js_calls_our_server_over_tls()
    {
        await using var server = await TestServer.StartAsync(new RpcServerTlsOptions(TestCertificates.IssueServer(_ca)));
        var result = await NodeTools.RunAsync("grpc-client.js", server.Address, "probe", WritePem("root.pem", _ca.Certificate));
        Assert.Equal(0, result.GetProperty("code").GetInt32());
        Assert.Equal("probe", result.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Grpc_js_trusting_another_ca_is_refused()
    {
        await using var server = await TestServer.StartAsync(new RpcServerTlsOptions(TestCertificates.IssueServer(_ca)));
        var result = await NodeTools.RunAsync("grpc-client.js", server.Address, "probe", WritePem("other.pem", _otherCa.Certificate));
        Assert.Equal((int)StatusCode.Unavailable, result.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Mutual_tls_accepts_a_client_certificate_from_the_ca_and_refuses_a_client_without_one()
    {
        await using var server = await TestServer.StartAsync(new RpcServerTlsOptions(TestCertificates.IssueServer(_ca))
        {
            ClientCertificateAuthorities = [_ca.Certificate],
            RequireClientCertificate = true,
        });
        var root = WritePem("root.pem", _ca.Certificate);

        var without = await NodeTools.RunAsync("grpc-client.js", server.Address, "probe", root);
        Assert.Equal((int)StatusCode.Unavailable, without.GetProperty("code").GetInt32());

        var (foreignCert, foreignKey) = WriteClient("foreign", _otherCa);
        var foreign = await NodeTools.RunAsync("grpc-client.js", server.Address, "probe", root, foreignCert, foreignKey);
        Assert.Equal((int)StatusCode.Unavailable, foreign.GetProperty("code").GetInt32());

        var (cert, key) = WriteClient("client", _ca);
        var with = await NodeTools.RunAsync("grpc-client.js", server.Address, "probe", root, cert, key);
        Assert.Equal(0, with.GetProperty("code").GetInt32());
        Assert.Equal("probe", with.GetProperty("text").GetString());
    }

    private string WritePem(string name, X509Certificate2 certificate)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, Pem.Certificate(certificate));
        return path;
    }

    private (string Certificate, string Key) WriteClient(string name, CertificateAuthority ca)
    {
        var issued = ca.Issue(new CertificateSpec { CommonName = $"{name}.interop", ForTls = true });
        var certificate = WritePem($"{name}.pem", issued.Certificate);
        var key = Path.Combine(_dir.FullName, $"{name}.key");
        File.WriteAllText(key, Pem.PrivateKey(issued.Key));
        return (certificate, key);
    }
}
