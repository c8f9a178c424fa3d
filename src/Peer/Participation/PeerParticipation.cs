using System.Text.Json;
using System.Text.Json.Serialization;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ZonCoin.Peer.Channels;
using ZonCoin.Protos.Common;

namespace ZonCoin.Peer.Participation;

/// <summary>
/// The peer's channel participation API on its admin port, shaped like the orderer's (Fabric's osnadmin API):
/// <c>GET /participation/v1/channels</c>, <c>GET /participation/v1/channels/{name}</c> (height, and the chaincode
/// definitions committed) and <c>POST /participation/v1/channels</c> with a multipart <c>config-block</c> file
/// holding the channel's genesis block (201; 400 for a bad block or a channel already joined).
/// </summary>
internal static class PeerParticipation
{
    private const string Root = "/participation/v1/channels";

    public static IApplicationBuilder UsePeerParticipation(this IApplicationBuilder app, int port, bool requireClientCertificate) =>
        app.MapWhen(http => http.Connection.LocalPort == port, branch => branch.Run(async http =>
        {
            if (requireClientCertificate && http.Connection.ClientCertificate is null)
            {
                await WriteAsync(http, StatusCodes.Status403Forbidden, new Error("a client TLS certificate is required")).ConfigureAwait(false);
                return;
            }
            await HandleAsync(http, http.RequestServices.GetRequiredService<PeerChannels>()).ConfigureAwait(false);
        }));

    private static async Task HandleAsync(HttpContext http, PeerChannels channels)
    {
        var path = http.Request.Path.Value?.TrimEnd('/') ?? "";
        if (path == Root && HttpMethods.IsGet(http.Request.Method))
        {
            await WriteAsync(http, StatusCodes.Status200OK, new ChannelList([.. channels.All.Select(c => new ChannelLink(c.ChannelId, $"{Root}/{c.ChannelId}"))])).ConfigureAwait(false);
            return;
        }
        if (path == Root && HttpMethods.IsPost(http.Request.Method))
        {
            await JoinAsync(http, channels).ConfigureAwait(false);
            return;
        }
        if (path.StartsWith(Root + "/", StringComparison.Ordinal) && HttpMethods.IsGet(http.Request.Method))
        {
            var channel = channels.Find(path[(Root.Length + 1)..]);
            if (channel is null)
            {
                await WriteAsync(http, StatusCodes.Status404NotFound, new Error($"channel '{path[(Root.Length + 1)..]}' is not joined")).ConfigureAwait(false);
                return;
            }
            await WriteAsync(http, StatusCodes.Status200OK, Info(channel)).ConfigureAwait(false);
            return;
        }
        await WriteAsync(http, StatusCodes.Status404NotFound, new Error($"no such resource: {http.Request.Method} {path}")).ConfigureAwait(false);
    }

    private static async Task JoinAsync(HttpContext http, PeerChannels channels)
    {
        if (!http.Request.HasFormContentType)
        {
            await WriteAsync(http, StatusCodes.Status400BadRequest, new Error("expected a multipart/form-data body with a 'config-block' file")).ConfigureAwait(false);
            return;
        }
        var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
        if (form.Files.GetFile("config-block") is not { Length: > 0 } file)
        {
            await WriteAsync(http, StatusCodes.Status400BadRequest, new Error("the form must carry a non-empty 'config-block' file")).ConfigureAwait(false);
            return;
        }
        try
        {
            Block block;
            using (var stream = file.OpenReadStream())
            {
                block = Block.Parser.ParseFrom(stream);
            }
            var channel = await channels.JoinAsync(block, http.RequestAborted).ConfigureAwait(false);
            await WriteAsync(http, StatusCodes.Status201Created, Info(channel)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or ArgumentException or InvalidOperationException)
        {
            await WriteAsync(http, StatusCodes.Status400BadRequest, new Error($"cannot join: {ex.Message}")).ConfigureAwait(false);
        }
    }

    private static ChannelInfo Info(PeerChannel channel) => new(
        channel.ChannelId, $"{Root}/{channel.ChannelId}", channel.Height,
        [.. channel.Definitions.All.Select(d => new ChaincodeInfo(d.Name, d.Version, d.Sequence, d.Address, d.PackageId))]);

    private static Task WriteAsync<T>(HttpContext http, int status, T body)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(http.Response.Body, body, typeof(T), ParticipationJson.Default, http.RequestAborted);
    }

    internal sealed record Error([property: JsonPropertyName("error")] string Message);

    internal sealed record ChannelLink(string Name, string Url);

    internal sealed record ChannelList(IReadOnlyList<ChannelLink> Channels);

    internal sealed record ChaincodeInfo(string Name, string Version, long Sequence, string Address, string PackageId);

    internal sealed record ChannelInfo(string Name, string Url, ulong Height, IReadOnlyList<ChaincodeInfo> Chaincodes);
}

/// <summary>The participation API's JSON, generated at build time (no reflection, so it works compiled ahead of time).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(PeerParticipation.Error))]
[JsonSerializable(typeof(PeerParticipation.ChannelList))]
[JsonSerializable(typeof(PeerParticipation.ChannelInfo))]
internal sealed partial class ParticipationJson : JsonSerializerContext;
