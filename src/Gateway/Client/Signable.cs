using ZonCoin.Core.Crypto;

namespace ZonCoin.Gateway.Client;

/// <summary>
/// What the client signs for one transaction (a proposal, a prepared transaction, a commit-status request): its
/// bytes, their SHA-256 digest (what an offline signer signs), and the signature, made with the gateway's signer on
/// first use or attached through the matching <c>Gateway.NewSigned…</c> method.
/// </summary>
public abstract class Signable
{
    private readonly string _offlineMethod;
    private byte[]? _signature;

    private protected Signable(GatewayClient client, byte[] bytes, string transactionId, string channelName, byte[]? signature, string offlineMethod)
    {
        Client = client;
        Bytes = bytes;
        TransactionId = transactionId;
        ChannelName = channelName;
        _signature = signature;
        _offlineMethod = offlineMethod;
        Digest = Hashing.Sha256(bytes);
    }

    /// <summary>The transaction id: lowercase hex SHA-256(nonce ‖ creator).</summary>
    public string TransactionId { get; }

    /// <summary>The channel the transaction is on.</summary>
    public string ChannelName { get; }

    /// <summary>The bytes that are signed.</summary>
    public byte[] Bytes { get; }

    /// <summary>SHA-256 of <see cref="Bytes"/>: what an offline signer signs.</summary>
    public byte[] Digest { get; }

    private protected GatewayClient Client { get; }

    /// <summary>The signature over <see cref="Bytes"/>: the attached one, or one made now with the gateway's signer.</summary>
    private protected byte[] Signature() => _signature ??= Client.Sign(Bytes, _offlineMethod);
}
