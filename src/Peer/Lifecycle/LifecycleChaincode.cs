using System.Text.RegularExpressions;
using Google.Protobuf;
using ZonCoin.Core.Config;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Protocol;
using ZonCoin.Ledger.State;
using ZonCoin.Peer.Channels;
using ZonCoin.Peer.Simulation;
using ZonCoin.Peer.SystemChaincodes;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Lifecycle;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Peer.Lifecycle;

/// <summary>
/// The <c>_lifecycle</c> system chaincode, run inside the peer. Functions (args[0]) and their argument (args[1]):
/// <c>ApproveChaincodeDefinitionForMyOrg</c> (a <c>ChaincodeDefinition</c>; the creator must be an admin of this
/// peer's organisation), <c>CommitChaincodeDefinition</c> (a definition approved by a majority of the channel's
/// application organisations), <c>CheckCommitReadiness</c>, <c>QueryChaincodeDefinition</c> (a name) and
/// <c>QueryChaincodeDefinitions</c>. Failures are responses with status 400 and a message, as chaincode errors are.
/// </summary>
internal sealed partial class LifecycleChaincode : ISystemChaincode
{
    public const string Approve = "ApproveChaincodeDefinitionForMyOrg";
    public const string Commit = "CommitChaincodeDefinition";
    public const string CheckCommitReadiness = "CheckCommitReadiness";
    public const string QueryDefinition = "QueryChaincodeDefinition";
    public const string QueryDefinitions = "QueryChaincodeDefinitions";

    private readonly string _peerMspId;

    public LifecycleChaincode(string peerMspId)
    {
        _peerMspId = peerMspId;
    }

    public Response Execute(IReadOnlyList<ByteString> args, MspIdentity creator, ChannelResources resources, TxSimulator simulator)
    {
        if (args.Count == 0)
        {
            return Error("no function given");
        }
        var function = args[0].ToStringUtf8();
        try
        {
            return function switch
            {
                Approve => ApproveForMyOrg(Definition(args), creator, resources, simulator),
                Commit => CommitDefinition(Definition(args), resources, simulator),
                CheckCommitReadiness => Ok(Readiness(Definition(args), resources, simulator).ToByteString()),
                QueryDefinition => Query(Name(args), simulator),
                QueryDefinitions => Ok(All(simulator).ToByteString()),
                _ => Error($"_lifecycle has no function '{function}'"),
            };
        }
        catch (LifecycleException ex)
        {
            return Error(ex.Message);
        }
    }

    private Response ApproveForMyOrg(ChaincodeDefinition definition, MspIdentity creator, ChannelResources resources, TxSimulator simulator)
    {
        var adminOfPeerOrg = new MSPPrincipal
        {
            PrincipalClassification = MSPPrincipal.Types.Classification.Role,
            Principal = new MSPRole { MspIdentifier = _peerMspId, Role = MSPRole.Types.MSPRoleType.Admin }.ToByteString(),
        };
        if (!resources.Msps.SatisfiesPrincipal(creator, adminOfPeerOrg))
        {
            return Error($"only an admin of {_peerMspId} may approve a chaincode definition for it; the creator is {creator}");
        }
        var committed = Committed(definition.Name, simulator);
        var expected = (committed?.Sequence ?? 0) + 1;
        if (definition.Sequence != expected && !(committed is not null && definition.Sequence == committed.Sequence && committed.Equals(definition)))
        {
            return Error($"requested sequence is {definition.Sequence}, but new definition must be sequence {expected}");
        }
        simulator.PutState(LifecycleKeys.Namespace, LifecycleKeys.Approval(definition.Name, definition.Sequence, _peerMspId), LifecycleKeys.DefinitionHash(definition));
        return Ok(ByteString.Empty);
    }

    private static Response CommitDefinition(ChaincodeDefinition definition, ChannelResources resources, TxSimulator simulator)
    {
        var committed = Committed(definition.Name, simulator);
        var expected = (committed?.Sequence ?? 0) + 1;
        if (definition.Sequence != expected)
        {
            return Error($"requested sequence is {definition.Sequence}, but new definition must be sequence {expected}");
        }
        var readiness = Readiness(definition, resources, simulator);
        var approved = readiness.Approvals.Count(pair => pair.Value);
        var required = (readiness.Approvals.Count / 2) + 1;
        if (approved < required)
        {
            var missing = string.Join(", ", readiness.Approvals.Where(pair => !pair.Value).Select(pair => pair.Key).Order(StringComparer.Ordinal));
            return Error($"chaincode definition not agreed to by this channel's organisations: {approved} of {readiness.Approvals.Count} approved, {required} needed (not approved: {missing})");
        }
        simulator.PutState(LifecycleKeys.Namespace, LifecycleKeys.Definition(definition.Name), definition.ToByteArray());
        return Ok(ByteString.Empty);
    }

    private static CommitReadiness Readiness(ChaincodeDefinition definition, ChannelResources resources, TxSimulator simulator)
    {
        var hash = LifecycleKeys.DefinitionHash(definition);
        var readiness = new CommitReadiness();
        foreach (var mspId in resources.ApplicationMspIds)
        {
            var approval = simulator.GetState(LifecycleKeys.Namespace, LifecycleKeys.Approval(definition.Name, definition.Sequence, mspId));
            readiness.Approvals[mspId] = approval is not null && approval.Value.Span.SequenceEqual(hash);
        }
        return readiness;
    }

    private static Response Query(string name, TxSimulator simulator) =>
        Committed(name, simulator) is { } definition ? Ok(definition.ToByteString()) : new Response { Status = 404, Message = $"namespace {name} is not defined" };

    private static ChaincodeDefinitions All(TxSimulator simulator)
    {
        var all = new ChaincodeDefinitions();
        using var range = simulator.GetStateRange(LifecycleKeys.Namespace, LifecycleKeys.DefinitionPrefix, LifecycleKeys.DefinitionPrefix[..^1] + "0");
        while (range.Next() is { } entry)
        {
            all.Definitions.Add(ChaincodeDefinition.Parser.ParseFrom(entry.Value.Value.Span));
        }
        return all;
    }

    private static ChaincodeDefinition? Committed(string name, TxSimulator simulator) =>
        simulator.GetState(LifecycleKeys.Namespace, LifecycleKeys.Definition(name)) is { } value ? ChaincodeDefinition.Parser.ParseFrom(value.Value.Span) : null;

    private static ChaincodeDefinition Definition(IReadOnlyList<ByteString> args)
    {
        if (args.Count < 2)
        {
            throw new LifecycleException("a chaincode definition argument is required");
        }
        ChaincodeDefinition definition;
        try
        {
            definition = ChaincodeDefinition.Parser.ParseFrom(args[1]);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new LifecycleException($"the argument is not a ChaincodeDefinition: {ex.Message}");
        }
        if (!NamePattern().IsMatch(definition.Name) || definition.Name.StartsWith('_'))
        {
            throw new LifecycleException($"chaincode name '{definition.Name}' is invalid: use letters, digits, '_' and '-', not starting with '_'");
        }
        if (string.IsNullOrEmpty(definition.Version) || definition.Sequence < 1)
        {
            throw new LifecycleException("a chaincode definition needs a version and a sequence of at least 1");
        }
        if (string.IsNullOrEmpty(definition.Address) || !definition.Address.Contains(':', StringComparison.Ordinal))
        {
            throw new LifecycleException($"chaincode address '{definition.Address}' is not host:port");
        }
        var packageId = ChaincodePackageIds.Compute(definition.Name, definition.Version, definition.Address);
        if (definition.PackageId != packageId)
        {
            throw new LifecycleException($"package id '{definition.PackageId}' does not match the definition; expected '{packageId}'");
        }
        string? previous = null;
        foreach (var index in definition.StatedbIndexes)
        {
            if (previous is not null && string.CompareOrdinal(previous, index.FileName) >= 0)
            {
                throw new LifecycleException($"state database indexes must be sorted by file name without repeats; '{index.FileName}' follows '{previous}'");
            }
            previous = index.FileName;
            try
            {
                StateIndexDefinition.Parse(index.FileName, index.Definition);
            }
            catch (QueryException ex)
            {
                throw new LifecycleException($"invalid state database index: {ex.Message}");
            }
        }
        return definition;
    }

    private static string Name(IReadOnlyList<ByteString> args) =>
        args.Count >= 2 ? args[1].ToStringUtf8() : throw new LifecycleException("a chaincode name argument is required");

    private static Response Ok(ByteString payload) => new() { Status = 200, Payload = payload };

    private static Response Error(string message) => new() { Status = 400, Message = message };

    [GeneratedRegex("^[a-zA-Z0-9_-]+$")]
    private static partial Regex NamePattern();

    private sealed class LifecycleException(string message) : Exception(message);

    string ISystemChaincode.Name => LifecycleKeys.Namespace;

    bool ISystemChaincode.ReadOnly => false;

    Response ISystemChaincode.Execute(SystemChaincodeInvocation invocation) =>
        Execute(invocation.Proposal.Args, invocation.Creator, invocation.Resources, invocation.Simulator);
}
