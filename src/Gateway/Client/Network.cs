using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Gateway.Client;

/// <summary>A channel seen through the gateway (Fabric's <c>Network</c>): its contracts and its events.</summary>
public sealed class Network
{
    private readonly GatewayClient _client;

    internal Network(GatewayClient client, string name)
    {
        _client = client;
        Name = name;
    }

    /// <summary>The channel name.</summary>
    public string Name { get; }

    /// <summary>A chaincode on this channel, or one named contract within it.</summary>
    public Contract GetContract(string chaincodeName, string? contractName = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(chaincodeName);
        return new Contract(_client, Name, chaincodeName, contractName, null);
    }

    /// <summary>Streams a chaincode's events from the options' start position (see <see cref="NewChaincodeEventsRequest"/>).</summary>
    public IAsyncEnumerable<ChaincodeEvent> GetChaincodeEvents(string chaincodeName, ChaincodeEventsOptions? options = null, CancellationToken cancellationToken = default) =>
        NewChaincodeEventsRequest(chaincodeName, options).GetEventsAsync(cancellationToken);

    /// <summary>
    /// A chaincode-events request: starts at the checkpoint's block (after its transaction) when it has one, else
    /// at <see cref="ChaincodeEventsOptions.StartBlock"/>, else at the next block to commit.
    /// </summary>
    public ChaincodeEventsRequest NewChaincodeEventsRequest(string chaincodeName, ChaincodeEventsOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(chaincodeName);
        return new ChaincodeEventsRequest(_client, ChaincodeEventsRequest.NewRequestBytes(_client, Name, chaincodeName, options), null);
    }

    /// <summary>Streams full blocks as they commit (<c>/protos.Deliver/Deliver</c>).</summary>
    public IAsyncEnumerable<Block> GetBlockEvents(BlockEventsOptions? options = null, CancellationToken cancellationToken = default) =>
        NewBlockEventsRequest(options).GetEventsAsync(cancellationToken);

    /// <summary>Streams filtered blocks (<c>/protos.Deliver/DeliverFiltered</c>).</summary>
    public IAsyncEnumerable<FilteredBlock> GetFilteredBlockEvents(BlockEventsOptions? options = null, CancellationToken cancellationToken = default) =>
        NewFilteredBlockEventsRequest(options).GetEventsAsync(cancellationToken);

    /// <summary>Streams blocks with their private data (<c>/protos.Deliver/DeliverWithPrivateData</c>).</summary>
    public IAsyncEnumerable<BlockAndPrivateData> GetBlockAndPrivateDataEvents(BlockEventsOptions? options = null, CancellationToken cancellationToken = default) =>
        NewBlockAndPrivateDataEventsRequest(options).GetEventsAsync(cancellationToken);

    /// <summary>
    /// A block-events request: starts at the checkpoint's block when it has one, else at
    /// <see cref="BlockEventsOptions.StartBlock"/>, else at the next block to commit; never stops.
    /// </summary>
    public BlockEventsRequest<Block> NewBlockEventsRequest(BlockEventsOptions? options = null) =>
        new(_client, BlockEventsMethods.Blocks, BlockEventsKinds.Blocks, nameof(Gateway.NewSignedBlockEventsRequest),
            BlockEventsRequest<Block>.NewRequestBytes(_client, Name, options), null);

    /// <summary>A filtered-block-events request (start as <see cref="NewBlockEventsRequest"/>).</summary>
    public BlockEventsRequest<FilteredBlock> NewFilteredBlockEventsRequest(BlockEventsOptions? options = null) =>
        new(_client, BlockEventsMethods.FilteredBlocks, BlockEventsKinds.FilteredBlocks, nameof(Gateway.NewSignedFilteredBlockEventsRequest),
            BlockEventsRequest<FilteredBlock>.NewRequestBytes(_client, Name, options), null);

    /// <summary>A block-and-private-data-events request (start as <see cref="NewBlockEventsRequest"/>).</summary>
    public BlockEventsRequest<BlockAndPrivateData> NewBlockAndPrivateDataEventsRequest(BlockEventsOptions? options = null) =>
        new(_client, BlockEventsMethods.BlocksAndPrivateData, BlockEventsKinds.BlocksAndPrivateData, nameof(Gateway.NewSignedBlockAndPrivateDataEventsRequest),
            BlockEventsRequest<BlockAndPrivateData>.NewRequestBytes(_client, Name, options), null);
}
