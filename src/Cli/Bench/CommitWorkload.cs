using System.Globalization;
using Google.Protobuf;
using ZonCoin.Cli.Crypto;
using ZonCoin.Core.Config;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Policies;
using ZonCoin.Core.Protocol;
using ZonCoin.Peer.LedgerTools;
using ZonCoin.Peer.Lifecycle;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Ledger.Rwset;
using ZonCoin.Protos.Ledger.Rwset.Kvrwset;
using ZonCoin.Protos.Lifecycle;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Cli.Bench;

/// <summary>What to build: organisations, endorsed transactions and transactions per block.</summary>
internal sealed record CommitWorkloadSettings(int Orgs, int Transactions, int BlockSize)
{
    public string ChannelId { get; init; } = "bench";

    public string ChaincodeName { get; init; } = "bench";

    public int ValueSize { get; init; } = 64;

    /// <summary>Keys written before the measured transactions (<see cref="CommitWorkload.PreloadBlocks"/>); 0 = none.</summary>
    public int PreloadKeys { get; init; }
}

/// <summary>
/// A channel's blocks as orderers would deliver them to a peer, built in memory with real crypto: N application
/// organisations (CA, one peer, one user each) and an orderer organisation, generated under a folder; the genesis
/// block; block 1 committing a <c>_lifecycle</c> chaincode definition whose endorsement policy requires every
/// organisation's peer; then the endorsed transactions (creator signature plus one endorsement per organisation),
/// each writing a distinct key, cut into blocks signed by the orderer. With <see cref="CommitWorkloadSettings.PreloadKeys"/>,
/// blocks of endorsed transactions writing <see cref="KeysPerPreloadTransaction"/> keys each come between the setup
/// and the measured blocks. Shared by <c>zoncoin bench commit</c> and the ledger tools' tests.
/// </summary>
internal sealed class CommitWorkload
{
    /// <summary>Keys each preload transaction writes.</summary>
    public const int KeysPerPreloadTransaction = 1000;

    private CommitWorkload(CommitWorkloadSettings settings, SigningIdentity orderer, SigningIdentity client, IReadOnlyList<SigningIdentity> endorsers)
    {
        Settings = settings;
        Orderer = orderer;
        Client = client;
        Endorsers = endorsers;
    }

    public CommitWorkloadSettings Settings { get; }

    /// <summary>The orderer that signs the blocks.</summary>
    public SigningIdentity Orderer { get; }

    /// <summary>Org1's user, the creator of every transaction.</summary>
    public SigningIdentity Client { get; }

    /// <summary>One peer per organisation.</summary>
    public IReadOnlyList<SigningIdentity> Endorsers { get; }

    public Block Genesis { get; private set; } = null!;

    /// <summary>Blocks 1.. before the measured ones: the chaincode definition.</summary>
    public IReadOnlyList<Block> SetupBlocks { get; private set; } = [];

    /// <summary>The blocks that load <see cref="CommitWorkloadSettings.PreloadKeys"/> keys (<see cref="PreloadKey"/>), following <see cref="SetupBlocks"/>.</summary>
    public IReadOnlyList<Block> PreloadBlocks { get; private set; } = [];

    /// <summary>The blocks of endorsed transactions, following <see cref="PreloadBlocks"/>.</summary>
    public IReadOnlyList<Block> TransactionBlocks { get; private set; } = [];

    /// <summary>Generates the crypto material under <paramref name="cryptoDirectory"/> and builds every block.</summary>
    public static CommitWorkload Create(CommitWorkloadSettings settings, string cryptoDirectory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(settings.Orgs);
        ArgumentOutOfRangeException.ThrowIfNegative(settings.Transactions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(settings.BlockSize);
        ArgumentOutOfRangeException.ThrowIfNegative(settings.PreloadKeys);
        var ordererOrg = new OrgCryptoRequest("OrdererOrg", "OrdererMSP", "orderer.bench.local", 0, 1, 0, Path.Combine(cryptoDirectory, "orderer"));
        OrgCryptoGenerator.Generate(ordererOrg);
        var orgs = Enumerable.Range(1, settings.Orgs)
            .Select(i => new OrgCryptoRequest($"Org{i}", $"Org{i}MSP", $"org{i}.bench.local", 1, 0, 1, Path.Combine(cryptoDirectory, $"org{i}")))
            .ToList();
        foreach (var org in orgs)
        {
            OrgCryptoGenerator.Generate(org);
        }
        var orderer = MspDirectory.LoadSigningIdentity(Path.Combine(ordererOrg.OutputDirectory, "orderers", $"orderer0.{ordererOrg.Domain}", "msp"), ordererOrg.MspId);
        var client = MspDirectory.LoadSigningIdentity(Path.Combine(orgs[0].OutputDirectory, "users", $"User1@{orgs[0].Domain}", "msp"), orgs[0].MspId);
        var endorsers = orgs.Select(org => MspDirectory.LoadSigningIdentity(Path.Combine(org.OutputDirectory, "peers", $"peer0.{org.Domain}", "msp"), org.MspId)).ToList();
        var workload = new CommitWorkload(settings, orderer, client, endorsers);

        var config = ChannelConfigBuilder.Create(
            settings.ChannelId,
            [.. orgs.Select(org => new OrganizationDefinition(org.Org, org.MspId, MspDirectory.LoadDefinition(Path.Combine(org.OutputDirectory, "msp"), org.MspId)))],
            [new OrganizationDefinition(ordererOrg.Org, ordererOrg.MspId, MspDirectory.LoadDefinition(Path.Combine(ordererOrg.OutputDirectory, "msp"), ordererOrg.MspId))
            {
                OrdererEndpoints = ["127.0.0.1:7050"],
            }],
            new OrderingDefinition { MaxMessageCount = (uint)settings.BlockSize });
        workload.Genesis = Blocks.Genesis(ConfigUpdates.CreateConfigEnvelope(config));

        var definition = new ChaincodeDefinition
        {
            Name = settings.ChaincodeName,
            Version = "1.0",
            Sequence = 1,
            EndorsementPolicy = new Protos.Common.ApplicationPolicy
            {
                SignaturePolicy = PolicyDsl.Parse($"AND({string.Join(", ", orgs.Select(org => $"'{org.MspId}.peer'"))})"),
            },
            StatedbIndexes = { new StateDatabaseIndex { FileName = "indexOwner.json", Definition = OwnerIndex } },
        };
        var define = workload.Endorse(LifecycleKeys.Namespace, [(LifecycleKeys.Definition(settings.ChaincodeName), definition.ToByteString())]);
        var previous = workload.Genesis;
        var setup = workload.NextBlock(previous, [define]);
        workload.SetupBlocks = [setup];

        var value = ByteString.CopyFromUtf8(new string('v', settings.ValueSize));
        var preload = new ByteString[(settings.PreloadKeys + KeysPerPreloadTransaction - 1) / KeysPerPreloadTransaction];
        Parallel.For(0, preload.Length, t =>
        {
            var keys = Enumerable.Range(t * KeysPerPreloadTransaction, Math.Min(KeysPerPreloadTransaction, settings.PreloadKeys - (t * KeysPerPreloadTransaction)));
            preload[t] = workload.Endorse(settings.ChaincodeName, [.. keys.Select(k => (PreloadKey(k), PreloadValue(k, settings.ValueSize)))]);
        });
        var last = setup;
        workload.PreloadBlocks = workload.CutBlocks(ref last, preload);

        var envelopes = new ByteString[settings.Transactions];
        Parallel.For(0, settings.Transactions, i =>
            envelopes[i] = workload.Endorse(settings.ChaincodeName, [(Key(i), value)]));
        workload.TransactionBlocks = workload.CutBlocks(ref last, envelopes);
        return workload;
    }

    /// <summary>The key preload write <paramref name="index"/> sets.</summary>
    /// <summary>Owners the preloaded documents are spread over (<c>owner000</c>…), for the rich-query benchmark.</summary>
    public const int PreloadOwners = 1000;

    /// <summary>The chaincode's state database index on the preloaded documents' <c>docType</c> and <c>owner</c>.</summary>
    public const string OwnerIndex = """{"index":{"fields":["docType","owner"]},"ddoc":"indexOwnerDoc","name":"indexOwner","type":"json"}""";

    /// <summary>
    /// The preloaded value of key <paramref name="index"/>: a JSON document <c>{"docType":"load","owner":"ownerNNN","n":index,"pad":"vv…"}</c>
    /// padded to about <paramref name="size"/> bytes, so PostgreSQL peers can run rich queries over it.
    /// </summary>
    public static ByteString PreloadValue(int index, int size)
    {
        var prefix = string.Create(CultureInfo.InvariantCulture, $"{{\"docType\":\"load\",\"owner\":\"{PreloadOwner(index % PreloadOwners)}\",\"n\":{index},\"pad\":\"");
        return ByteString.CopyFromUtf8(prefix + new string('v', Math.Max(1, size - prefix.Length - 2)) + "\"}");
    }

    /// <summary>The owner name of owner number <paramref name="owner"/>.</summary>
    public static string PreloadOwner(int owner) => string.Create(CultureInfo.InvariantCulture, $"owner{owner:D3}");

    public static string PreloadKey(int index) => string.Create(CultureInfo.InvariantCulture, $"load{index:D8}");

    /// <summary>The key transaction <paramref name="index"/> writes.</summary>
    public static string Key(int index) => string.Create(CultureInfo.InvariantCulture, $"key{index:D8}");

    /// <summary>
    /// Signs a block's SIGNATURES and LAST_CONFIG metadata as an orderer does (value ‖ signature header ‖ header
    /// DER bytes, the last config being the genesis block).
    /// </summary>
    public static void Sign(Block block, SigningIdentity signer)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(signer);
        var metadata = block.Metadata.Metadata;
        var lastConfig = new LastConfig { Index = 0 };
        metadata[(int)BlockMetadataIndex.LastConfig] = new Metadata { Value = lastConfig.ToByteString() }.ToByteString();
        var value = new OrdererBlockMetadata { LastConfig = lastConfig }.ToByteString();
        var signatureHeader = new SignatureHeader
        {
            Creator = ByteString.CopyFrom(signer.Creator),
            Nonce = ByteString.CopyFrom(TransactionIds.NewNonce()),
        }.ToByteString();
        var signature = signer.Sign([.. value.Span, .. signatureHeader.Span, .. BlockHashing.HeaderBytes(block.Header)]);
        metadata[(int)BlockMetadataIndex.Signatures] = new Metadata
        {
            Value = value,
            Signatures = { new MetadataSignature { SignatureHeader = signatureHeader, Signature = ByteString.CopyFrom(signature) } },
        }.ToByteString();
    }

    /// <summary>
    /// Creates a peer's ledger for the channel under <paramref name="dataDirectory"/> with the state database of
    /// <paramref name="state"/> (SQLite when null), holding the genesis block, as joining the channel does, and opens it.
    /// </summary>
    public OfflineLedger Join(string dataDirectory, StateDatabaseSettings? state = null) =>
        OfflineLedger.Join(dataDirectory, Genesis, state ?? new StateDatabaseSettings());

    /// <summary>Joins under <paramref name="dataDirectory"/> and commits every block through the peer's commit path; returns the height.</summary>
    public ulong WriteLedger(string dataDirectory, StateDatabaseSettings? state = null)
    {
        using var ledger = Join(dataDirectory, state);
        foreach (var block in SetupBlocks.Concat(PreloadBlocks).Concat(TransactionBlocks))
        {
            var outcomes = ledger.Commit(block.Clone());
            if (outcomes.FirstOrDefault(v => !v.IsValid) is { Reason: not null } invalid)
            {
                throw new InvalidOperationException($"block {block.Header.Number} has an invalid transaction: {invalid.Code}: {invalid.Reason}");
            }
        }
        return ledger.Height;
    }

    /// <summary>Cuts <paramref name="envelopes"/> into signed blocks of <see cref="CommitWorkloadSettings.BlockSize"/> after <paramref name="previous"/>, which ends as the last.</summary>
    private List<Block> CutBlocks(ref Block previous, ByteString[] envelopes)
    {
        var blocks = new List<Block>();
        for (var start = 0; start < envelopes.Length; start += Settings.BlockSize)
        {
            previous = NextBlock(previous, envelopes.Skip(start).Take(Settings.BlockSize));
            blocks.Add(previous);
        }
        return blocks;
    }

    private Block NextBlock(Block previous, IEnumerable<ByteString> envelopes)
    {
        var block = Blocks.Create(previous.Header.Number + 1, BlockHashing.HeaderHash(previous.Header), envelopes);
        Sign(block, Orderer);
        return block;
    }

    /// <summary>An endorsed, signed transaction invoking <paramref name="chaincode"/> that writes <paramref name="writes"/>.</summary>
    private ByteString Endorse(string chaincode, (string Key, ByteString Value)[] writes)
    {
        var (signed, _) = Proposals.Create(ChaincodeInvocation.Of(Settings.ChannelId, chaincode, "put", writes[0].Key), Client);
        var proposal = Proposals.Unpack(signed);
        var set = new KVRWSet();
        set.Writes.Add(writes.Select(w => new KVWrite { Key = w.Key, Value = w.Value }));
        var results = new TxReadWriteSet
        {
            DataModel = TxReadWriteSet.Types.DataModel.Kv,
            NsRwset = { new NsReadWriteSet { Namespace = chaincode, Rwset = set.ToByteString() } },
        };
        var simulation = new SimulationResult(new ChaincodeID { Name = chaincode, Version = "1.0" }, new Response { Status = 200 }, results.ToByteString(), null);
        var responses = Endorsers.Select(endorser => Endorsements.Endorse(proposal, simulation, endorser)).ToList();
        return Endorsements.Sign(Endorsements.CreateTransaction(proposal, responses), Client).ToByteString();
    }
}
