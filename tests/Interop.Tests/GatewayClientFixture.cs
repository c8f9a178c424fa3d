using System.Text.Json;
using Google.Protobuf;
using ZonCoin.Core.Protocol;
using ZonCoin.Interop.Tests.Support;
using ZonCoin.Protos.Gateway;
using ZonCoin.Protos.Ledger.Rwset;
using ZonCoin.Protos.Ledger.Rwset.Kvrwset;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Interop.Tests;

/// <summary>
/// Runs the official Fabric Node client once for the whole test class: first tools/gateway-requests.js (every
/// request the client signs), then, with an endorsement ZonCoin built for the client's proposal,
/// tools/gateway-transaction.js (the client reading and signing ZonCoin's prepared transaction).
/// </summary>
public sealed class GatewayClientFixture : IDisposable
{
    public const string Channel = "mychannel";
    public const string Chaincode = "basic";
    public const string EvaluatePayload = "evaluated by ZonCoin";
    public const string ResultPayload = "{\"from\":\"alice\",\"to\":\"bob\",\"amount\":10}";
    public const ulong CommitBlock = 9;

    private readonly DirectoryInfo _directory;

    public GatewayClientFixture()
    {
        _directory = Directory.CreateTempSubdirectory("zoncoin-gateway-interop-");
        Org = new InteropOrg("Org1MSP", _directory.FullName);

        var requestsInput = Org.ClientRequest();
        requestsInput["evaluateResponse"] = Convert.ToBase64String(new EvaluateResponse
        {
            Result = new Response { Status = 200, Message = "OK", Payload = ByteString.CopyFromUtf8(EvaluatePayload) },
        }.ToByteArray());
        Requests = NodeTool.Run("gateway-requests.js", requestsInput, _directory.FullName);

        // Endorse the client's own proposal the way ZonCoin's gateway will.
        var proposed = ProposedTransaction.Parser.ParseFrom(Requests.GetProperty("proposal").Bytes("signed"));
        Proposal = Proposals.Unpack(proposed.Proposal);
        Simulation = new SimulationResult(
            new ChaincodeID { Name = Chaincode, Version = "1.0" },
            new Response { Status = 200, Payload = ByteString.CopyFromUtf8(ResultPayload) },
            WriteSet(),
            new ChaincodeEvent { ChaincodeId = Chaincode, TxId = Proposal.TxId, EventName = "Transfer", Payload = ByteString.CopyFromUtf8("{}") });
        Endorsement = Endorsements.Endorse(Proposal, Simulation, Org.Peer);
        Prepared = Endorsements.CreateTransaction(Proposal, [Endorsement]);

        var transactionInput = Org.ClientRequest();
        transactionInput["proposedTransaction"] = Convert.ToBase64String(proposed.ToByteArray());
        transactionInput["preparedTransaction"] = Convert.ToBase64String(
            new PreparedTransaction { TransactionId = Proposal.TxId, Envelope = Prepared }.ToByteArray());
        transactionInput["endorseResponse"] = Convert.ToBase64String(new EndorseResponse { PreparedTransaction = Prepared }.ToByteArray());
        transactionInput["commitStatusResponse"] = Convert.ToBase64String(
            new CommitStatusResponse { Result = TxValidationCode.Valid, BlockNumber = CommitBlock }.ToByteArray());
        Transaction = NodeTool.Run("gateway-transaction.js", transactionInput, _directory.FullName);
    }

    internal InteropOrg Org { get; }

    /// <summary>Output of tools/gateway-requests.js.</summary>
    public JsonElement Requests { get; }

    /// <summary>Output of tools/gateway-transaction.js.</summary>
    public JsonElement Transaction { get; }

    /// <summary>The Node client's signed proposal, unpacked by ZonCoin.</summary>
    public UnpackedProposal Proposal { get; }

    public SimulationResult Simulation { get; }

    public ProposalResponse Endorsement { get; }

    /// <summary>The unsigned transaction envelope ZonCoin built and handed to the Node client.</summary>
    public ZonCoin.Protos.Common.Envelope Prepared { get; }

    public void Dispose()
    {
        Org.Dispose();
        _directory.Delete(recursive: true);
    }

    private static ByteString WriteSet()
    {
        var kv = new KVRWSet();
        kv.Writes.Add(new KVWrite { Key = "alice", Value = ByteString.CopyFromUtf8("90") });
        kv.Writes.Add(new KVWrite { Key = "bob", Value = ByteString.CopyFromUtf8("110") });
        var rwset = new TxReadWriteSet { DataModel = TxReadWriteSet.Types.DataModel.Kv };
        rwset.NsRwset.Add(new NsReadWriteSet { Namespace = Chaincode, Rwset = kv.ToByteString() });
        return rwset.ToByteString();
    }
}
