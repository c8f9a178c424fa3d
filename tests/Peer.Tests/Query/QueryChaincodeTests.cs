using Google.Protobuf;
using ZonCoin.Core.Protocol;
using ZonCoin.Peer.Channels;
using ZonCoin.Peer.Endorser;
using ZonCoin.Peer.Lifecycle;
using ZonCoin.Peer.Query;
using ZonCoin.Peer.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Lifecycle;
using ZonCoin.Protos.Ledger.Rwset.Kvrwset;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Peer.Tests.Query;

public sealed class QueryChaincodeTests : IDisposable
{
    private readonly TestNetwork _network = new();
    private readonly TestLedger _ledger;
    private readonly PeerChannel _channel;
    private readonly QueryChaincode _qscc;
    private readonly Envelope _invalidTx;
    private readonly Envelope _validTx;

    /// <summary>Block 1 holds two transactions: one for an undefined chaincode (invalid) and a valid definition commit.</summary>
    public QueryChaincodeTests()
    {
        _ledger = new TestLedger(_network);
        _channel = new PeerChannel(TestNetwork.ChannelId, _ledger.Blocks, _ledger.State);
        _qscc = new QueryChaincode(id => id == TestNetwork.ChannelId ? _channel : null);
        var peers = new[] { _network.Org1.Peer, _network.Org2.Peer };
        _invalidTx = Tx.Endorsed(_network.Org1.Client, Tx.RwSet(Tx.Writes(("a", "1"))), peers);
        var definition = new ChaincodeDefinition { Name = "cc", Version = "1.0", Sequence = 1, Address = "cc:1", PackageId = ChaincodePackageIds.Compute("cc", "1.0", "cc:1") };
        var write = new KVRWSet();
        write.Writes.Add(new KVWrite { Key = LifecycleKeys.Definition("cc"), Value = definition.ToByteString() });
        _validTx = Tx.Endorsed(_network.Org1.Admin, Tx.RwSet((LifecycleKeys.Namespace, write)), peers, chaincode: LifecycleKeys.Namespace);
        var block = _ledger.NextBlock(_invalidTx, _validTx);
        TestNetwork.SignBlock(block, _network.OrdererOrg.Orderer);
        var verdicts = _channel.Commit(block).Verdicts;
        Assert.Equal([TxValidationCode.InvalidChaincode, TxValidationCode.Valid], verdicts.Select(v => v.Code));
    }

    private static string TxId(Envelope envelope) => Envelopes.Unpack(envelope).ChannelHeader.TxId;

    private Response Invoke(SigningIdentity creator, params object[] args)
    {
        var bytes = args.Select(a => a is byte[] b ? b : System.Text.Encoding.UTF8.GetBytes((string)a)).ToList();
        var (signed, _) = Proposals.Create(new ChaincodeInvocation(TestNetwork.ChannelId, QueryChaincode.Name, bytes), creator);
        return _qscc.Execute(Proposals.Unpack(signed), DateTimeOffset.UtcNow);
    }

    private Response Invoke(params object[] args) => Invoke(_network.Org1.Client, args);

    private static T Ok<T>(Response response, MessageParser<T> parser) where T : IMessage<T>
    {
        Assert.True(response.Status == 200, response.Message);
        return parser.ParseFrom(response.Payload);
    }

    [Fact]
    public void GetChainInfo_reports_height_and_the_last_two_hashes()
    {
        var info = Ok(Invoke(QueryChaincode.GetChainInfo, TestNetwork.ChannelId), BlockchainInfo.Parser);

        var last = _ledger.Blocks.GetBlock(1);
        Assert.Equal(2UL, info.Height);
        Assert.Equal(BlockHashing.HeaderHash(last.Header), info.CurrentBlockHash.ToByteArray());
        Assert.Equal(BlockHashing.HeaderHash(_ledger.Blocks.GetBlock(0).Header), info.PreviousBlockHash.ToByteArray());
    }

    [Fact]
    public void GetBlockByNumber_returns_the_stored_block_with_its_committed_metadata()
    {
        var block = Ok(Invoke(QueryChaincode.GetBlockByNumber, TestNetwork.ChannelId, "1"), Block.Parser);

        Assert.Equal(_ledger.Blocks.GetBlockBytes(1), block.ToByteArray());
        Assert.Equal(new byte[] { (byte)TxValidationCode.InvalidChaincode, (byte)TxValidationCode.Valid },
            block.Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter].ToByteArray());
        Assert.Equal(0UL, Ok(Invoke(QueryChaincode.GetBlockByNumber, TestNetwork.ChannelId, "0"), Block.Parser).Header.Number);
        // As Fabric's block store: 2^64-1 means the last block.
        Assert.Equal(1UL, Ok(Invoke(QueryChaincode.GetBlockByNumber, TestNetwork.ChannelId, ulong.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture)), Block.Parser).Header.Number);
    }

    [Fact]
    public void GetBlockByHash_returns_the_block_with_that_header_hash()
    {
        foreach (var number in new ulong[] { 0, 1 })
        {
            var hash = BlockHashing.HeaderHash(_ledger.Blocks.GetBlock(number).Header);
            Assert.Equal(number, Ok(Invoke(QueryChaincode.GetBlockByHash, TestNetwork.ChannelId, hash), Block.Parser).Header.Number);
        }
    }

    [Fact]
    public void GetTransactionByID_returns_the_envelope_and_its_validation_code()
    {
        var valid = Ok(Invoke(QueryChaincode.GetTransactionByID, TestNetwork.ChannelId, TxId(_validTx)), ProcessedTransaction.Parser);
        Assert.Equal(_validTx, valid.TransactionEnvelope);
        Assert.Equal((int)TxValidationCode.Valid, valid.ValidationCode);

        var invalid = Ok(Invoke(QueryChaincode.GetTransactionByID, TestNetwork.ChannelId, TxId(_invalidTx)), ProcessedTransaction.Parser);
        Assert.Equal(_invalidTx, invalid.TransactionEnvelope);
        Assert.Equal((int)TxValidationCode.InvalidChaincode, invalid.ValidationCode);
    }

    [Fact]
    public void GetBlockByTxID_returns_the_block_holding_the_transaction()
    {
        var block = Ok(Invoke(QueryChaincode.GetBlockByTxID, TestNetwork.ChannelId, TxId(_validTx)), Block.Parser);
        Assert.Equal(1UL, block.Header.Number);

        var configTx = Envelopes.Unpack(Envelope.Parser.ParseFrom(_ledger.Blocks.GetBlock(0).Data.Data[0])).ChannelHeader.TxId;
        if (configTx.Length > 0)
        {
            Assert.Equal(0UL, Ok(Invoke(QueryChaincode.GetBlockByTxID, TestNetwork.ChannelId, configTx), Block.Parser).Header.Number);
        }
    }

    [Fact]
    public void Unknown_blocks_and_transactions_are_500_with_Fabrics_messages()
    {
        var noBlock = Invoke(QueryChaincode.GetBlockByNumber, TestNetwork.ChannelId, "7");
        Assert.Equal(500, noBlock.Status);
        Assert.Equal("Failed to get block number 7, error no such block number [7] in index", noBlock.Message);

        var hash = new byte[32];
        var noHash = Invoke(QueryChaincode.GetBlockByHash, TestNetwork.ChannelId, hash);
        Assert.Equal(500, noHash.Status);
        Assert.Equal($"Failed to get block hash {new string('0', 64)}, error no such block hash [{new string('0', 64)}] in index", noHash.Message);

        var noTx = Invoke(QueryChaincode.GetTransactionByID, TestNetwork.ChannelId, "nope");
        Assert.Equal(500, noTx.Status);
        Assert.Equal("Failed to get transaction with id nope, error no such transaction ID [nope] in index", noTx.Message);

        var noTxBlock = Invoke(QueryChaincode.GetBlockByTxID, TestNetwork.ChannelId, "nope");
        Assert.Equal(500, noTxBlock.Status);
        Assert.Equal("Failed to get block for txID nope, error no such transaction ID [nope] in index", noTxBlock.Message);
    }

    [Theory]
    [InlineData(new[] { "GetChainInfo" }, "Incorrect number of arguments, 1")]
    [InlineData(new[] { "GetBlockByNumber", TestNetwork.ChannelId }, "missing 3rd argument for GetBlockByNumber")]
    [InlineData(new[] { "GetTransactionByID", TestNetwork.ChannelId }, "missing 3rd argument for GetTransactionByID")]
    [InlineData(new[] { "GetBlockByNumber", TestNetwork.ChannelId, "one" }, "Failed to parse block number with error strconv.ParseUint: parsing \"one\": invalid syntax")]
    [InlineData(new[] { "GetBlockByNumber", TestNetwork.ChannelId, "-1" }, "Failed to parse block number with error strconv.ParseUint: parsing \"-1\": invalid syntax")]
    [InlineData(new[] { "GetBlockByNumber", TestNetwork.ChannelId, "" }, "Failed to parse block number with error strconv.ParseUint: parsing \"\": invalid syntax")]
    [InlineData(new[] { "GetBlockByNumber", TestNetwork.ChannelId, "18446744073709551616" }, "Failed to parse block number with error strconv.ParseUint: parsing \"18446744073709551616\": value out of range")]
    [InlineData(new[] { "GetChainInfo", "" }, "Invalid chain ID, ")]
    [InlineData(new[] { "GetChainInfo", "otherchannel" }, "Invalid chain ID, otherchannel")]
    [InlineData(new[] { "Nope", TestNetwork.ChannelId, "x" }, "access denied for [Nope][testchannel]: [Unmapped policy for qscc/Nope]")]
    public void Bad_arguments_are_500_with_Fabrics_messages(string[] args, string message)
    {
        var response = Invoke([.. args]);

        Assert.Equal(500, response.Status);
        Assert.Equal(message, response.Message);
    }

    [Fact]
    public void Readers_ACL_refuses_a_non_member_and_accepts_every_member_role()
    {
        var refused = Invoke(_network.Org9.Client, QueryChaincode.GetChainInfo, TestNetwork.ChannelId);
        Assert.Equal(500, refused.Status);
        Assert.StartsWith("access denied for [GetChainInfo][testchannel]: [Failed evaluating policy on signed data during check policy on channel [testchannel] with policy [/Channel/Application/Readers]: [", refused.Message, StringComparison.Ordinal);

        foreach (var reader in new[] { _network.Org1.Client, _network.Org2.Peer, _network.Org3.Admin })
        {
            Assert.Equal(200, Invoke(reader, QueryChaincode.GetTransactionByID, TestNetwork.ChannelId, TxId(_validTx)).Status);
        }
    }

    [Fact]
    public void Qscc_functions_map_to_Readers_and_proposals_to_Writers()
    {
        foreach (var function in new[] { QueryChaincode.GetChainInfo, QueryChaincode.GetBlockByNumber, QueryChaincode.GetBlockByHash, QueryChaincode.GetTransactionByID, QueryChaincode.GetBlockByTxID })
        {
            Assert.Equal(ChannelAcls.Readers, ChannelAcls.PolicyOf($"qscc/{function}"));
        }
        Assert.Equal(ChannelAcls.Writers, ChannelAcls.PolicyOf(ChannelAcls.Propose));
        Assert.Null(ChannelAcls.PolicyOf("qscc/Nope"));
    }

    public void Dispose()
    {
        _channel.Dispose();
        _ledger.Dispose();
        _network.Dispose();
    }
}
