using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using ZonCoin.Core.Crypto;
using ZonCoin.Rpc.Client;
using ZonCoin.Rpc.Server;
using ZonCoin.Rpc.Services;
using ZonCoin.Rpc.Tests.Echo;

namespace ZonCoin.Rpc.Tests;

/// <summary>Our client against our server over TLS (ALPN h2): trust, server name override and mutual TLS.</summary>
public sealed class TlsTests : IDisposable
{
    /// <summary>Answers with the subject of the client's TLS certificate, or "anonymous" without one.</summary>
    private static readonly Method<EchoRequest, EchoResponse> WhoAmI = RpcMethods.Create<EchoRequest, EchoResponse>(MethodType.Unary, "zoncoin.test.Tls", "WhoAmI");

    /// <summary>Answers with the :authority the client sent.</summary>
    private static readonly Method<EchoRequest, EchoResponse> Authority = RpcMethods.Create<EchoRequest, EchoResponse>(MethodType.Unary, "zoncoin.test.Tls", "Authority");

    private readonly CertificateAuthority _serverCa = CertificateAuthority.CreateRoot("tls-ca.org1.example.com", "Org1");
    private readonly CertificateAuthority _clientCa = CertificateAuthority.CreateRoot("client-ca.org2.example.com", "Org2");
    private readonly CertificateAuthority _rogueCa = CertificateAuthority.CreateRoot("rogue-ca.example.com", "Rogue");
    private readonly List<X509Certificate2> _serverCertificates = [];

    public void Dispose()
    {
        _serverCa.Dispose();
        _clientCa.Dispose();
        _rogueCa.Dispose();
        _serverCertificates.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task Unary_and_bidi_work_over_tls_with_a_custom_root()
    {
        using var serverCertificate = TestCertificates.IssueServer(_serverCa);
        await using var server = await StartAsync(new RpcServerTlsOptions(serverCertificate));
        Assert.StartsWith("https://", server.Address, StringComparison.Ordinal);
        using var channel = RpcChannels.ForAddress(server.Address, new RpcChannelOptions { RootCertificates = [_serverCa.Certificate] });

        Assert.Equal("over tls", (await channel.CreateCallInvoker().Unary(EchoService.Unary, new EchoRequest { Text = "over tls" })).Text);
        using var call = channel.CreateCallInvoker().Duplex(EchoService.Bidi);
        for (var i = 0; i < 50; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Text = $"m{i}" });
            Assert.True(await call.ResponseStream.MoveNext());
            Assert.Equal($"m{i}", call.ResponseStream.Current.Text);
            Assert.Equal(i, call.ResponseStream.Current.Index);
        }
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task A_client_trusting_another_ca_is_unavailable()
    {
        using var serverCertificate = TestCertificates.IssueServer(_serverCa);
        await using var server = await StartAsync(new RpcServerTlsOptions(serverCertificate));
        using var channel = RpcChannels.ForAddress(server.Address, new RpcChannelOptions { RootCertificates = [_rogueCa.Certificate] });

        var error = await Assert.ThrowsAsync<RpcException>(async () => await channel.CreateCallInvoker().Unary(EchoService.Unary, new EchoRequest { Text = "x" }));
        Assert.True(error.StatusCode == StatusCode.Unavailable, error.Status.ToString());
        Assert.Contains("transport: authentication handshake failed", error.Status.Detail, StringComparison.Ordinal);
        await AssertServesAsync(server, new RpcChannelOptions { RootCertificates = [_serverCa.Certificate] });
    }

    [Fact]
    public async Task A_client_with_default_trust_refuses_a_private_ca()
    {
        using var serverCertificate = TestCertificates.IssueServer(_serverCa);
        await using var server = await StartAsync(new RpcServerTlsOptions(serverCertificate));
        using var channel = RpcChannels.ForAddress(server.Address);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await channel.CreateCallInvoker().Unary(EchoService.Unary, new EchoRequest { Text = "x" }));
        Assert.True(error.StatusCode == StatusCode.Unavailable, error.Status.ToString());
    }

    [Fact]
    public async Task Server_name_override_accepts_a_certificate_issued_for_that_name_only()
    {
        using var serverCertificate = TestCertificates.IssueTls(_serverCa, "peer0.org1.example.com", ["peer0.org1.example.com"]);
        await using var server = await StartAsync(new RpcServerTlsOptions(serverCertificate));
        Assert.StartsWith("https://127.0.0.1:", server.Address, StringComparison.Ordinal);
        using var channel = RpcChannels.ForAddress(server.Address, new RpcChannelOptions
        {
            RootCertificates = [_serverCa.Certificate],
            ServerNameOverride = "peer0.org1.example.com",
        });

        Assert.Equal("named", (await channel.CreateCallInvoker().Unary(EchoService.Unary, new EchoRequest { Text = "named" })).Text);
        var port = new Uri(server.Address).Port;
        Assert.Equal($"peer0.org1.example.com:{port}", (await channel.CreateCallInvoker().Unary(Authority, new EchoRequest())).Text);
    }

    [Fact]
    public async Task Without_server_name_override_a_certificate_for_another_name_is_unavailable()
    {
        using var serverCertificate = TestCertificates.IssueTls(_serverCa, "peer0.org1.example.com", ["peer0.org1.example.com"]);
        await using var server = await StartAsync(new RpcServerTlsOptions(serverCertificate));
        using var channel = RpcChannels.ForAddress(server.Address, new RpcChannelOptions { RootCertificates = [_serverCa.Certificate] });

        var error = await Assert.ThrowsAsync<RpcException>(async () => await channel.CreateCallInvoker().Unary(EchoService.Unary, new EchoRequest { Text = "x" }));
        Assert.True(error.StatusCode == StatusCode.Unavailable, error.Status.ToString());
    }

    [Fact]
    public async Task A_wrong_server_name_override_is_unavailable()
    {
        using var serverCertificate = TestCertificates.IssueTls(_serverCa, "peer0.org1.example.com", ["peer0.org1.example.com"]);
        await using var server = await StartAsync(new RpcServerTlsOptions(serverCertificate));
        using var channel = RpcChannels.ForAddress(server.Address, new RpcChannelOptions
        {
            RootCertificates = [_serverCa.Certificate],
            ServerNameOverride = "peer1.org1.example.com",
        });

        var error = await Assert.ThrowsAsync<RpcException>(async () => await channel.CreateCallInvoker().Unary(EchoService.Unary, new EchoRequest { Text = "x" }));
        Assert.True(error.StatusCode == StatusCode.Unavailable, error.Status.ToString());
    }

    [Fact]
    public async Task Mutual_tls_client_certificate_reaches_the_handler()
    {
        await using var server = await StartMutualAsync();
        using var clientCertificate = TestCertificates.IssueTls(_clientCa, "User1@org2.example.com");
        using var channel = RpcChannels.ForAddress(server.Address, new RpcChannelOptions
        {
            RootCertificates = [_serverCa.Certificate],
            ClientCertificate = clientCertificate,
        });

        var response = await channel.CreateCallInvoker().Unary(WhoAmI, new EchoRequest());
        Assert.Equal(clientCertificate.Subject, response.Text);
        Assert.Contains("CN=User1@org2.example.com", response.Text, StringComparison.Ordinal);
        Assert.Equal("bidi", await BidiOnceAsync(channel, "bidi"));
    }

    [Fact]
    public async Task Without_mutual_tls_the_handler_sees_no_client_certificate()
    {
        using var serverCertificate = TestCertificates.IssueServer(_serverCa);
        await using var server = await StartAsync(new RpcServerTlsOptions(serverCertificate));
        using var channel = RpcChannels.ForAddress(server.Address, new RpcChannelOptions { RootCertificates = [_serverCa.Certificate] });

        Assert.Equal("anonymous", (await channel.CreateCallInvoker().Unary(WhoAmI, new EchoRequest())).Text);
    }

    [Fact]
    public async Task Mutual_tls_refuses_a_client_without_a_certificate_and_keeps_serving()
    {
        await using var server = await StartMutualAsync();
        using var channel = RpcChannels.ForAddress(server.Address, new RpcChannelOptions { RootCertificates = [_serverCa.Certificate] });

        var error = await Assert.ThrowsAsync<RpcException>(async () => await channel.CreateCallInvoker().Unary(WhoAmI, new EchoRequest()));
        Assert.True(error.StatusCode == StatusCode.Unavailable, error.Status.ToString());
        await AssertMutualServesAsync(server);
    }

    [Fact]
    public async Task Mutual_tls_refuses_a_client_certificate_from_another_ca_and_keeps_serving()
    {
        await using var server = await StartMutualAsync();
        using var rogueCertificate = TestCertificates.IssueTls(_rogueCa, "Mallory@rogue.example.com");
        using var channel = RpcChannels.ForAddress(server.Address, new RpcChannelOptions
        {
            RootCertificates = [_serverCa.Certificate],
            ClientCertificate = rogueCertificate,
        });

        var error = await Assert.ThrowsAsync<RpcException>(async () => await channel.CreateCallInvoker().Unary(WhoAmI, new EchoRequest()));
        Assert.True(error.StatusCode == StatusCode.Unavailable, error.Status.ToString());
        await AssertMutualServesAsync(server);
    }

    [Fact]
    public async Task Mutual_tls_asks_the_dynamic_client_cas_at_every_handshake()
    {
        // A node's channels bring their organisations' TLS roots: a CA joins and leaves while the server runs.
        X509Certificate2Collection joined = [];
        using var serverCertificate = TestCertificates.IssueServer(_serverCa);
        await using var server = await StartAsync(new RpcServerTlsOptions(serverCertificate)
        {
            ClientCertificateAuthorities = [_rogueCa.Certificate],
            DynamicClientCertificateAuthorities = () => joined,
            RequireClientCertificate = true,
        });
        using var clientCertificate = TestCertificates.IssueTls(_clientCa, "User1@org2.example.com");
        var options = new RpcChannelOptions { RootCertificates = [_serverCa.Certificate], ClientCertificate = clientCertificate };

        using (var before = RpcChannels.ForAddress(server.Address, options))
        {
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await before.CreateCallInvoker().Unary(WhoAmI, new EchoRequest()));
            Assert.True(refused.StatusCode == StatusCode.Unavailable, refused.Status.ToString());
        }

        joined = [_clientCa.Certificate];
        using (var joinedChannel = RpcChannels.ForAddress(server.Address, options))
        {
            Assert.Equal(clientCertificate.Subject, (await joinedChannel.CreateCallInvoker().Unary(WhoAmI, new EchoRequest())).Text);
        }

        joined = [];
        using var after = RpcChannels.ForAddress(server.Address, options);
        var left = await Assert.ThrowsAsync<RpcException>(async () => await after.CreateCallInvoker().Unary(WhoAmI, new EchoRequest()));
        Assert.True(left.StatusCode == StatusCode.Unavailable, left.Status.ToString());
    }

    private static Task<TestServer> StartAsync(RpcServerTlsOptions tls) =>
        TestServer.StartAsync(tls, register: methods => methods
            .Unary(WhoAmI, (_, _, context) =>
                Task.FromResult(new EchoResponse { Text = context.GetHttpContext().Connection.ClientCertificate?.Subject ?? "anonymous" }))
            .Unary(Authority, (_, _, context) => Task.FromResult(new EchoResponse { Text = context.Host })));

    private Task<TestServer> StartMutualAsync()
    {
        var serverCertificate = TestCertificates.IssueServer(_serverCa);
        _serverCertificates.Add(serverCertificate);
        return StartAsync(new RpcServerTlsOptions(serverCertificate)
        {
            ClientCertificateAuthorities = [_clientCa.Certificate],
            RequireClientCertificate = true,
        });
    }

    private async Task AssertMutualServesAsync(TestServer server)
    {
        using var clientCertificate = TestCertificates.IssueTls(_clientCa, "User2@org2.example.com");
        using var channel = RpcChannels.ForAddress(server.Address, new RpcChannelOptions
        {
            RootCertificates = [_serverCa.Certificate],
            ClientCertificate = clientCertificate,
        });
        Assert.Equal(clientCertificate.Subject, (await channel.CreateCallInvoker().Unary(WhoAmI, new EchoRequest())).Text);
    }

    private static async Task AssertServesAsync(TestServer server, RpcChannelOptions options)
    {
        using var channel = RpcChannels.ForAddress(server.Address, options);
        Assert.Equal("still serving", (await channel.CreateCallInvoker().Unary(EchoService.Unary, new EchoRequest { Text = "still serving" })).Text);
    }

    private static async Task<string> BidiOnceAsync(GrpcChannel channel, string text)
    {
        using var call = channel.CreateCallInvoker().Duplex(EchoService.Bidi);
        await call.RequestStream.WriteAsync(new EchoRequest { Text = text });
        Assert.True(await call.ResponseStream.MoveNext());
        var answer = call.ResponseStream.Current.Text;
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext());
        return answer;
    }
}
