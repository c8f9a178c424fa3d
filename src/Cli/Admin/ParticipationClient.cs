using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace ZonCoin.Cli.Admin;

/// <summary>
/// How to reach a node's admin endpoint (orderer or peer): plain HTTP (a development node) or HTTPS with a client
/// certificate. <paramref name="NodeKind"/> names the node in error messages.
/// </summary>
internal sealed record AdminConnection(string Address, string? CaFile, string? ClientCertFile, string? ClientKeyFile, string NodeKind = "orderer")
{
    public bool UsesTls => CaFile is not null;
}

/// <summary>
/// A client of a node's channel participation API (Fabric's <c>osnadmin channel</c>); the orderer and the peer
/// serve the same <c>/participation/v1/channels</c> resources (the peer has no DELETE).
/// </summary>
internal sealed class ParticipationClient : IDisposable
{
    private const string Channels = "participation/v1/channels";
    private readonly HttpClient _http;
    private readonly string _nodeKind;

    public ParticipationClient(AdminConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _nodeKind = connection.NodeKind;
        var handler = new SocketsHttpHandler();
        if (connection.UsesTls)
        {
            if (connection.ClientCertFile is null || connection.ClientKeyFile is null)
            {
                throw new ArgumentException("--client-cert and --client-key are required with --ca-file (the admin endpoint uses mutual TLS)");
            }
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(connection.CaFile!);
            using var pem = X509Certificate2.CreateFromPemFile(connection.ClientCertFile, connection.ClientKeyFile);
            var client = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            handler.SslOptions.ClientCertificates = [client];
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is not null && Rpc.Server.RpcKestrelExtensions.ChainsTo(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()), roots);
        }
        var scheme = connection.UsesTls ? "https" : "http";
        _http = new HttpClient(handler) { BaseAddress = new Uri($"{scheme}://{connection.Address}/"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public Task<string> JoinAsync(byte[] block, CancellationToken cancellationToken)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(block);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "config-block", "config.block");
        return SendAsync(new HttpRequestMessage(HttpMethod.Post, Channels) { Content = form }, cancellationToken);
    }

    public Task<string> ListAsync(CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, Channels), cancellationToken);

    public Task<string> GetAsync(string channel, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, $"{Channels}/{Uri.EscapeDataString(channel)}"), cancellationToken);

    public Task<string> RemoveAsync(string channel, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"{Channels}/{Uri.EscapeDataString(channel)}"), cancellationToken);

    public void Dispose() => _http.Dispose();

    /// <summary>Returns the response body; throws <see cref="InvalidOperationException"/> with the server's error text otherwise.</summary>
    private async Task<string> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                throw new InvalidOperationException($"cannot reach the {_nodeKind} admin endpoint {_http.BaseAddress}: {ex.Message}", ex);
            }
            using (response)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return body;
                }
                throw new InvalidOperationException($"{_nodeKind} answered {(int)response.StatusCode} {response.ReasonPhrase}: {ErrorText(body)}");
            }
        }
    }

    private static string ErrorText(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("error", out var error) ? error.GetString() ?? body : body;
        }
        catch (JsonException)
        {
            return body;
        }
    }
}
