using System.Text.Json;
using System.Text.Json.Serialization;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ZonCoin.Orderer.Channels;
using ZonCoin.Protos.Common;

namespace ZonCoin.Orderer.Participation;

/// <summary>
/// Fabric's channel participation API on the admin port:
/// <c>GET /participation/v1/channels</c> lists the channels, <c>GET /participation/v1/channels/{name}</c> shows
/// one, <c>POST /participation/v1/channels</c> (multipart form with a <c>config-block</c> file) joins a channel
/// from its genesis block (201; 400 for a bad block; 405 when it already exists), and
/// <c>DELETE /participation/v1/channels/{name}</c> removes it (204; 404 when unknown). Errors are
/// <c>{"error": "..."}</c>. Under TLS, Kestrel admits only clients whose certificate chains to the admin CAs.
/// </summary>
internal static class ChannelParticipation
{
    private const string Root = "/participation/v1/channels";
    private const long MaxBlockBytes = 100 * 1024 * 1024;

    public static IApplicationBuilder UseChannelParticipation(this IApplicationBuilder app, int port, bool requireClientCertificate)
    {
        return app.MapWhen(http => http.Connection.LocalPort == port, branch => branch.Run(async http =>
        {
            if (requireClientCertificate && http.Connection.ClientCertificate is null)
            {
                await WriteAsync(http, StatusCodes.Status403Forbidden, new Error("a client TLS certificate is required")).ConfigureAwait(false);
                return;
            }
            var registry = http.RequestServices.GetRequiredService<ChannelRegistry>();
            await HandleAsync(http, registry).ConfigureAwait(false);
        }));
    }

    private static async Task HandleAsync(HttpContext http, ChannelRegistry registry)
    {
        var path = http.Request.Path.Value?.TrimEnd('/') ?? "";
        var method = http.Request.Method;
        if (path == Root)
        {
            if (HttpMethods.IsGet(method))
            {
                var list = new ChannelList(null, [.. registry.Channels.Select(channel => new ChannelLink(channel.ChannelId, $"{Root}/{channel.ChannelId}"))]);
                await WriteAsync(http, StatusCodes.Status200OK, list).ConfigureAwait(false);
                return;
            }
            if (HttpMethods.IsPost(method))
            {
                await JoinAsync(http, registry).ConfigureAwait(false);
                return;
            }
            await MethodNotAllowed(http, "GET, POST").ConfigureAwait(false);
            return;
        }
        if (!path.StartsWith(Root + "/", StringComparison.Ordinal))
        {
            await WriteAsync(http, StatusCodes.Status404NotFound, new Error($"no such resource: {path}")).ConfigureAwait(false);
            return;
        }
        var name = path[(Root.Length + 1)..];
        if (HttpMethods.IsGet(method))
        {
            var support = registry.Find(name);
            if (support is null)
            {
                await WriteAsync(http, StatusCodes.Status404NotFound, new Error($"channel '{name}' does not exist")).ConfigureAwait(false);
                return;
            }
            await WriteAsync(http, StatusCodes.Status200OK, Info(support)).ConfigureAwait(false);
            return;
        }
        if (HttpMethods.IsDelete(method))
        {
            var removed = await registry.RemoveAsync(name, http.RequestAborted).ConfigureAwait(false);
            if (!removed)
            {
                await WriteAsync(http, StatusCodes.Status404NotFound, new Error($"channel '{name}' does not exist")).ConfigureAwait(false);
                return;
            }
            http.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }
        await MethodNotAllowed(http, "GET, DELETE").ConfigureAwait(false);
    }

    private static async Task JoinAsync(HttpContext http, ChannelRegistry registry)
    {
        if (!http.Request.HasFormContentType)
        {
            await WriteAsync(http, StatusCodes.Status400BadRequest, new Error("expected a multipart/form-data body with a 'config-block' file")).ConfigureAwait(false);
            return;
        }
        var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
        var file = form.Files.GetFile("config-block");
        if (file is null || file.Length == 0 || file.Length > MaxBlockBytes)
        {
            await WriteAsync(http, StatusCodes.Status400BadRequest, new Error("the form must carry a non-empty 'config-block' file of at most 100 MB")).ConfigureAwait(false);
            return;
        }
        Block block;
        try
        {
            using var stream = file.OpenReadStream();
            block = Block.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException ex)
        {
            await WriteAsync(http, StatusCodes.Status400BadRequest, new Error($"the config block does not parse: {ex.Message}")).ConfigureAwait(false);
            return;
        }
        try
        {
            var support = await registry.JoinAsync(block, http.RequestAborted).ConfigureAwait(false);
            http.Response.Headers.Location = $"{Root}/{support.ChannelId}";
            await WriteAsync(http, StatusCodes.Status201Created, Info(support)).ConfigureAwait(false);
        }
        catch (ChannelJoinException ex)
        {
            var status = ex.Error == ChannelJoinError.AlreadyExists ? StatusCodes.Status405MethodNotAllowed : StatusCodes.Status400BadRequest;
            await WriteAsync(http, status, new Error($"cannot join: {ex.Message}")).ConfigureAwait(false);
        }
    }

    private static ChannelInfo Info(ChainSupport support) => new(
        support.ChannelId,
        $"{Root}/{support.ChannelId}",
        "consenter",
        support.Chain.Fault is null ? "active" : "failed",
        support.Store.Height);

    private static Task MethodNotAllowed(HttpContext http, string allow)
    {
        http.Response.Headers.Allow = allow;
        return WriteAsync(http, StatusCodes.Status405MethodNotAllowed, new Error($"method {http.Request.Method} is not allowed here; use {allow}"));
    }

    private static Task WriteAsync<T>(HttpContext http, int status, T body)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(http.Response.Body, body, typeof(T), ParticipationJson.Default, http.RequestAborted);
    }

    internal sealed record Error([property: JsonPropertyName("error")] string Message);

    internal sealed record ChannelLink(string Name, string Url);

    internal sealed record ChannelList(
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] ChannelLink? SystemChannel,
        IReadOnlyList<ChannelLink> Channels);

    internal sealed record ChannelInfo(string Name, string Url, string ConsensusRelation, string Status, ulong Height);
}

/// <summary>The participation API's JSON, generated at build time (no reflection, so it works compiled ahead of time).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ChannelParticipation.Error))]
[JsonSerializable(typeof(ChannelParticipation.ChannelList))]
[JsonSerializable(typeof(ChannelParticipation.ChannelInfo))]
internal sealed partial class ParticipationJson : JsonSerializerContext;
