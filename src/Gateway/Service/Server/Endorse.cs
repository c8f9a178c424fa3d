using Google.Protobuf;
using Grpc.Core;
using ZonCoin.Core.Protocol;
using ZonCoin.Gateway.Channels;
using ZonCoin.Gateway.Endorsement;
using ZonCoin.Gateway.Nodes;
using ZonCoin.Protos.Gateway;
using ZonCoin.Protos.Peer;
using ZonCoin.Rpc.Server;

namespace ZonCoin.Gateway.Server;

internal sealed partial class GatewayServer
{
    private static readonly HashSet<string> SystemChaincodes = new(StringComparer.Ordinal) { "_lifecycle", "_governance", "qscc", "cscc", "lscc" };

    /// <summary>
    /// <c>/gateway.Gateway/Endorse</c>: collects endorsements that satisfy the chaincode's endorsement policy (from its
    /// committed definition), from one peer per organisation of the first workable set of organisations, the
    /// gateway's own first, asked in parallel; or from exactly the organisations the client names. The endorsed
    /// results must agree byte for byte. Returns the unsigned transaction envelope for the client to sign.
    /// </summary>
    public async Task<EndorseResponse> EndorseAsync(EndorseRequest request, ServerCallContext context)
    {
        var proposal = UnpackProposal(request.ProposedTransaction);
        var channel = await ChannelAsync(proposal.ChannelId, context.CancellationToken).ConfigureAwait(false);
        var collection = new EndorsementCollection();
        if (request.EndorsingOrganizations.Count > 0)
        {
            await EndorseByAsync(channel, request.ProposedTransaction, [.. request.EndorsingOrganizations.Distinct(StringComparer.Ordinal)], collection, context.CancellationToken).ConfigureAwait(false);
            if (collection.Failed.Count > 0)
            {
                throw collection.Error();
            }
        }
        else
        {
            var layouts = await LayoutsAsync(channel, proposal.ChaincodeName, context.CancellationToken).ConfigureAwait(false);
            var planned = false;
            while (true)
            {
                // Once an endorsement came back, plan again from what its simulation needs (Fabric's gateway uses the
                // first endorser's ChaincodeInterest): key-level policies of written keys, other chaincodes called.
                if (!planned && collection.Interest(_topology.MspId) is { Chaincodes.Count: > 0 } interest)
                {
                    planned = true;
                    if (!OnlyPolicyOf(interest, proposal.ChaincodeName))
                    {
                        layouts = await InterestLayoutsAsync(channel, proposal.ChaincodeName, interest, collection, context.CancellationToken).ConfigureAwait(false);
                    }
                }
                var layout = layouts.FirstOrDefault(l => !l.Overlaps(collection.Failed));
                if (layout is null)
                {
                    throw collection.Attempted
                        ? collection.Error()
                        : GatewayErrors.Create(StatusCode.FailedPrecondition,
                            $"no combination of peers can be derived which satisfy the endorsement policy of chaincode {proposal.ChaincodeName} on channel {proposal.ChannelId}: " +
                            "no peers are known for the organisations it needs");
                }
                var missing = layout.Where(org => !collection.Endorsed.ContainsKey(org))
                    .OrderBy(org => org == _topology.MspId ? 0 : 1).ThenBy(org => org, StringComparer.Ordinal).ToList();
                if (missing.Count == 0)
                {
                    break;
                }
                await EndorseByAsync(channel, request.ProposedTransaction, missing, collection, context.CancellationToken).ConfigureAwait(false);
                if (collection.Final)
                {
                    throw collection.Error();
                }
            }
        }
        try
        {
            var prepared = Endorsements.CreateTransaction(proposal, collection.Endorsed.Values);
            return new EndorseResponse { PreparedTransaction = prepared };
        }
        catch (ArgumentException ex)
        {
            throw GatewayErrors.Create(StatusCode.Aborted, $"failed to assemble transaction: {ex.Message}");
        }
    }

    /// <summary>The organisation sets that satisfy the chaincode's policy, restricted to organisations with known peers.</summary>
    private async Task<IReadOnlyList<IReadOnlySet<string>>> LayoutsAsync(GatewayChannel channel, string chaincode, CancellationToken cancellationToken)
    {
        if (SystemChaincodes.Contains(chaincode))
        {
            return [new HashSet<string>(StringComparer.Ordinal) { _topology.MspId }];
        }
        Protos.Lifecycle.ChaincodeDefinition? definition;
        try
        {
            definition = await channel.FindDefinitionAsync(chaincode, cancellationToken).ConfigureAwait(false);
        }
        catch (PeersUnavailableException ex)
        {
            throw GatewayErrors.Create(StatusCode.Unavailable, ex.Message);
        }
        if (definition is null)
        {
            // Not committed: the gateway's own peer gives the client Fabric's error for it.
            return [new HashSet<string>(StringComparer.Ordinal) { _topology.MspId }];
        }
        var layouts = EndorsementPlanner.Layouts(definition.EndorsementPolicy, channel.Resources.Config, _topology.MspId);
        if (layouts.Count == 0)
        {
            throw GatewayErrors.Create(StatusCode.FailedPrecondition,
                $"no combination of peers can be derived which satisfy the endorsement policy of chaincode {chaincode} on channel {channel.ChannelId}: no set of organisations' peers can satisfy it");
        }
        var withPeers = layouts.Where(layout => layout.All(org => channel.PeersOf(org).Count > 0)).ToList();
        if (withPeers.Count == 0)
        {
            var lacking = layouts.SelectMany(l => l).Distinct(StringComparer.Ordinal).Where(org => channel.PeersOf(org).Count == 0).Order(StringComparer.Ordinal);
            throw GatewayErrors.Create(StatusCode.FailedPrecondition,
                $"no combination of peers can be derived which satisfy the endorsement policy of chaincode {chaincode} on channel {channel.ChannelId}: " +
                $"no peers are known for {string.Join(", ", lacking)} (list them as --peer MSPID@host:port or in the channel configuration)");
        }
        return withPeers;
    }

    /// <summary>True when the interest needs nothing beyond the invoked chaincode's own policy (the plan already made).</summary>
    private static bool OnlyPolicyOf(ChaincodeInterest interest, string chaincode) =>
        interest.Chaincodes.All(call => call.Name == chaincode && call.KeyPolicies.Count == 0 && !call.DisregardNamespacePolicy);

    /// <summary>
    /// The organisation sets that satisfy everything <paramref name="interest"/> names: each chaincode's policy (unless
    /// every key it writes has a key-level policy) and each key-level policy; those needing the fewest endorsements
    /// beyond the ones already <paramref name="collection"/>ed come first.
    /// </summary>
    private async Task<IReadOnlyList<IReadOnlySet<string>>> InterestLayoutsAsync(
        GatewayChannel channel, string chaincode, ChaincodeInterest interest, EndorsementCollection collection, CancellationToken cancellationToken)
    {
        var requirements = new List<IReadOnlyList<IReadOnlySet<string>>>();
        foreach (var call in interest.Chaincodes)
        {
            if (!call.DisregardNamespacePolicy)
            {
                requirements.Add(await LayoutsAsync(channel, call.Name, cancellationToken).ConfigureAwait(false));
            }
            foreach (var keyPolicy in call.KeyPolicies)
            {
                requirements.Add(EndorsementPlanner.Layouts(new Protos.Common.ApplicationPolicy { SignaturePolicy = keyPolicy }, channel.Resources.Config, _topology.MspId));
            }
        }
        var layouts = EndorsementPlanner.Combine(requirements)
            .Where(layout => layout.All(org => channel.PeersOf(org).Count > 0))
            .OrderBy(layout => layout.Count(org => !collection.Endorsed.ContainsKey(org)))
            .ThenBy(layout => layout.Contains(_topology.MspId) ? 0 : 1)
            .ThenBy(layout => layout.Count)
            .ToList();
        return layouts.Count > 0
            ? layouts
            : throw GatewayErrors.Create(StatusCode.FailedPrecondition,
                $"no combination of peers can be derived which satisfy the endorsement policy of chaincode {chaincode} on channel {channel.ChannelId} " +
                "together with the key-level endorsement policies of the keys it writes");
    }

    /// <summary>Gets one endorsement from each organisation, in parallel; each tries its peers in turn.</summary>
    private async Task EndorseByAsync(GatewayChannel channel, SignedProposal proposal, List<string> organizations, EndorsementCollection collection, CancellationToken cancellationToken)
    {
        var answers = await Task.WhenAll(organizations.Select(org => EndorseByOrganizationAsync(channel, proposal, org, cancellationToken))).ConfigureAwait(false);
        for (var i = 0; i < organizations.Count; i++)
        {
            collection.Add(organizations[i], answers[i]);
        }
    }

    private async Task<IReadOnlyList<EndorserAnswer>> EndorseByOrganizationAsync(GatewayChannel channel, SignedProposal proposal, string organization, CancellationToken cancellationToken)
    {
        var peers = channel.PeersOf(organization);
        var answers = new List<EndorserAnswer>();
        if (peers.Count == 0)
        {
            answers.Add(new EndorserAnswer(new PeerAddress(organization, ""), null, StatusCode.Unavailable, $"no peers are known for organisation {organization}"));
            return answers;
        }
        foreach (var peer in peers)
        {
            var answer = await _peers.ProcessProposalAsync(peer, proposal, cancellationToken).ConfigureAwait(false);
            answers.Add(answer);
            if (answer.IsSuccess)
            {
                _topology.Succeeded(peer);
                break;
            }
            if (!answer.Retry)
            {
                break;
            }
            _topology.Failed(peer);
        }
        return answers;
    }

    /// <summary>Endorsements gathered so far for one proposal, and what went wrong.</summary>
    private sealed class EndorsementCollection
    {
        private readonly List<ErrorDetail> _details = [];
        private ByteString? _payload;

        /// <summary>One successful response per organisation.</summary>
        public Dictionary<string, ProposalResponse> Endorsed { get; } = new(StringComparer.Ordinal);

        /// <summary>Organisations that could not endorse.</summary>
        public HashSet<string> Failed { get; } = new(StringComparer.Ordinal);

        /// <summary>What the simulation needs endorsed, from the gateway's own organisation's endorsement if it has one.</summary>
        public ChaincodeInterest? Interest(string? preferred = null) =>
            (preferred is not null && Endorsed.TryGetValue(preferred, out var own) ? own : Endorsed.Values.FirstOrDefault())?.Interest;

        /// <summary>True once any peer was asked and failed.</summary>
        public bool Attempted => _details.Count > 0;

        /// <summary>True when a failure is the chaincode's or the client's, so no other set of peers would help.</summary>
        public bool Final { get; private set; }

        public void Add(string organization, IReadOnlyList<EndorserAnswer> answers)
        {
            foreach (var failed in answers.Where(a => !a.IsSuccess))
            {
                _details.Add(GatewayErrors.Detail(failed.Peer, failed.Message));
                Final |= failed.Code is StatusCode.Unknown or StatusCode.FailedPrecondition;
            }
            var success = answers.FirstOrDefault(a => a.IsSuccess);
            if (success is null)
            {
                Failed.Add(organization);
                return;
            }
            var response = success.Response!;
            _payload ??= response.Payload;
            if (response.Payload != _payload)
            {
                _details.Add(GatewayErrors.Detail(success.Peer, "ProposalResponsePayloads do not match"));
                Failed.Add(organization);
                return;
            }
            Endorsed[organization] = response;
        }

        /// <summary>The error to return: Fabric's message and one detail per failed peer.</summary>
        public RpcException Error() => Final
            ? GatewayErrors.Create(StatusCode.Aborted, "failed to endorse transaction, see attached details for more info", _details)
            : GatewayErrors.Create(StatusCode.Aborted, "failed to collect enough transaction endorsements, see attached details for more info", _details);
    }
}
