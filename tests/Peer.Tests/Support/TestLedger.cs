using Google.Protobuf;
using ZonCoin.Core.Protocol;
using ZonCoin.Ledger.Blocks;
using ZonCoin.Ledger.State;
using ZonCoin.Peer.Committer;
using ZonCoin.Peer.Validation;
using ZonCoin.Protos.Common;

namespace ZonCoin.Peer.Tests.Support;

/// <summary>
/// A channel ledger: a block store in a temp folder and a state database from <paramref name="states"/> (database
/// <paramref name="name"/>; a SQLite file of its own when <paramref name="states"/> is null), holding the genesis block.
/// </summary>
internal sealed class TestLedger : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly TestStates _states;
    private readonly bool _ownsStates;
    private readonly string _name;

    public TestLedger(TestNetwork network, TestStates? states = null, string name = "state", bool applyGenesis = true)
    {
        Network = network;
        _ownsStates = states is null;
        _states = states ?? TestStates.Sqlite();
        _name = name;
        Open();
        Blocks.Append(network.Genesis.Clone());
        if (applyGenesis)
        {
            State.ApplyBlock(0, new UpdateBatch());
        }
    }

    public TestNetwork Network { get; }

    public string BlocksPath => Path.Combine(_directory.Path, "blocks");

    public BlockStore Blocks { get; private set; } = null!;

    public IStateDatabase State { get; private set; } = null!;

    public BlockCommitter Committer(IChaincodeDefinitions definitions, IStateDatabase? state = null) =>
        new(Blocks, state ?? State, () => new TransactionValidator(TestNetwork.ChannelId, Network.Resources.Msps, definitions));

    /// <summary>The next block over the envelopes, chained to the last stored block.</summary>
    public Block NextBlock(params Envelope[] envelopes) =>
        ZonCoin.Core.Protocol.Blocks.Create(Blocks.Height, Blocks.LastHeaderHash ?? [], envelopes.Select(e => e.ToByteString()));

    /// <summary>Closes and reopens both stores (the stores are handed over when <paramref name="close"/> is false).</summary>
    public void Reopen(bool close = true)
    {
        if (close)
        {
            State.Dispose();
            Blocks.Dispose();
        }
        Open();
    }

    public void Dispose()
    {
        State.Dispose();
        Blocks.Dispose();
        _directory.Dispose();
        if (_ownsStates)
        {
            _states.Dispose();
        }
    }

    private void Open()
    {
        Blocks = BlockStore.Open(BlocksPath, new BlockStoreOptions { Fsync = false });
        State = _states.Open(_name);
    }
}
