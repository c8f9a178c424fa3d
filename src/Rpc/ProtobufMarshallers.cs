using Google.Protobuf;
using Grpc.Core;

namespace ZonCoin.Rpc;

/// <summary>
/// Protobuf marshallers for hand-declared methods. A message that does not decode fails the call with INTERNAL and
/// grpc-go's words (Fabric's stack), so Fabric's clients and tests see the same answer from us as from Fabric.
/// </summary>
public static class ProtobufMarshallers
{
    /// <summary>For requests: decoded by the server, where a bad one is "grpc: error unmarshalling request: …".</summary>
    public static Marshaller<T> Request<T>()
        where T : class, IMessage<T>, new() => Create<T>("grpc: error unmarshalling request");

    /// <summary>For responses: decoded by the client, where a bad one is "grpc: failed to unmarshal the received message: …".</summary>
    public static Marshaller<T> Response<T>()
        where T : class, IMessage<T>, new() => Create<T>("grpc: failed to unmarshal the received message");

    private static Marshaller<T> Create<T>(string failure)
        where T : class, IMessage<T>, new()
    {
        var parser = new MessageParser<T>(() => new T());
        return Marshallers.Create<T>(
            (message, context) =>
            {
                context.SetPayloadLength(message.CalculateSize());
                message.WriteTo(context.GetBufferWriter());
                context.Complete();
            },
            context =>
            {
                try
                {
                    return parser.ParseFrom(context.PayloadAsReadOnlySequence());
                }
                catch (InvalidProtocolBufferException ex)
                {
                    throw new RpcException(new Status(StatusCode.Internal, $"{failure}: {ex.Message}"));
                }
            });
    }
}
