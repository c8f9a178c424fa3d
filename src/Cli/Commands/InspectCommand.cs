using System.CommandLine;
using System.Text.Json;
using Google.Protobuf;
using ZonCoin.Cli.Inspect;
using ZonCoin.Core.Protocol;
using ZonCoin.Protos.Common;

namespace ZonCoin.Cli.Commands;

/// <summary><c>zoncoin inspect FILE</c>: a block or envelope as JSON.</summary>
internal static class InspectCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "A block (e.g. a genesis block) or an envelope, in protobuf binary form" };
        var type = new Option<string>("--type") { Description = "block, envelope or auto", DefaultValueFactory = _ => "auto" };
        type.AcceptOnlyFromAmong("auto", "block", "envelope");
        var command = new Command("inspect", "Print a block or an envelope as JSON with every layer decoded") { file, type };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var info = parse.GetValue(file)!;
            if (!info.Exists)
            {
                throw new IOException($"file '{info.FullName}' does not exist");
            }
            var bytes = File.ReadAllBytes(info.FullName);
            Console.WriteLine(Render(bytes, parse.GetValue(type)!).ToJsonString(Indented));
        }));
        return command;
    }

    internal static System.Text.Json.Nodes.JsonNode Render(byte[] bytes, string type)
    {
        if (type is "block" or "auto" && TryBlock(bytes, out var block))
        {
            return ProtoJson.Block(block);
        }
        if (type == "block")
        {
            Blocks.Parse(bytes);
        }
        var envelope = Messages.Parse(Envelope.Parser, bytes, "Envelope");
        if (envelope.Payload.IsEmpty)
        {
            throw new MalformedMessageException("file", "neither a block nor an envelope (no block header, no envelope payload)");
        }
        Envelopes.Unpack(envelope);
        return ProtoJson.Envelope(envelope);
    }

    private static bool TryBlock(byte[] bytes, out Block block)
    {
        try
        {
            block = Blocks.Parse(bytes);
            return block.Header.DataHash.Length == 32;
        }
        catch (MalformedMessageException)
        {
            block = new Block();
            return false;
        }
    }
}
