using System.Globalization;
using ZonCoin.Cli.Commands;
using ZonCoin.Cli.Crypto;
using ZonCoin.Cli.Governance;
using ZonCoin.Cli.Lifecycle;
using ZonCoin.Cli.Topology;
using ZonCoin.Core.Config;
using ZonCoin.Core.Protocol;

namespace ZonCoin.Cli.Network;

/// <summary>
/// <c>zoncoin network add-org</c>: onboards a partner organisation into the running local network with the same steps
/// the parties would run by hand (<c>org init</c>, <c>proposal create/vote/apply</c> per channel, <c>channel fetch</c>,
/// <c>peer join</c>, <c>chaincode approve</c>), then starts its peer, chaincode hosts and gateway.
/// </summary>
internal sealed partial class ConsortiumNetwork
{
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Onboards <paramref name="name"/> into every channel of the network recorded in <paramref name="directory"/>.
    /// An org that is already a member (a topology org, or one onboarded before) is an error; a run that failed half-way
    /// can be repeated: it reuses the crypto material, ports and services recorded so far and skips channels that
    /// already have the org.
    /// </summary>
    public static async Task<NetworkState> AddOrgAsync(string directory, string name, string? mspId, TextWriter log, CancellationToken cancellationToken)
    {
        if (name.Length == 0 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            throw new ArgumentException($"--name '{name}' is invalid: use letters, digits, '-' and '_'");
        }
        var dir = Path.GetFullPath(directory);
        var state = NetworkState.Load(dir);
        var msp = string.IsNullOrWhiteSpace(mspId) ? $"{name}MSP" : mspId;
        var existing = state.Organizations.FirstOrDefault(o => string.Equals(o.Name, name, StringComparison.OrdinalIgnoreCase) || o.MspId == msp);
        if (existing is not null && (existing.Onboarded is null or true || existing.Name != name || existing.MspId != msp))
        {
            throw new InvalidOperationException(
                $"organization '{existing.Name}' ({existing.MspId}) is already a member of the local network in {dir}; nothing to do");
        }
        if (state.Orderers.Any(o => string.Equals(o.Organization, name, StringComparison.OrdinalIgnoreCase) || o.MspId == msp))
        {
            throw new InvalidOperationException($"'{name}' ({msp}) is the network's orderer organisation");
        }
        var topology = NetworkTopology.Load(state.Topology);
        var network = new ConsortiumNetwork(topology, dir, state.Tls, log, state) { _state = state };
        await network.OnboardAsync(name, msp, existing, cancellationToken).ConfigureAwait(false);
        return state;
    }

    private async Task OnboardAsync(string name, string mspId, OrganizationRecord? resumed, CancellationToken cancellationToken)
    {
        var lower = name.ToLowerInvariant();
        var crypto = new OrgCryptoRequest(name, mspId, $"{lower}.zoncoin.local", Peers: 1, Orderers: 0, Users: 1, Path.Combine(CryptoDirectory, lower));
        var channels = _state.Channels.Select(c => c.Name).ToList();
        var contracts = _topology.Contracts.Where(c => channels.Contains(c.Channel)).ToList();
        string Address(int port) => $"{NetworkTopology.Host}:{port.ToString(CultureInfo.InvariantCulture)}";
        // Free ports, each a different one and none the network uses (the OS may hand out a just-released port again).
        var chosen = _state.Services.Select(s => PortOf(s.Endpoint)).Concat(_state.Organizations.SelectMany(o => o.Peers)
            .SelectMany(p => new[] { p.Endpoint, p.AdminEndpoint, p.OperationsEndpoint }).Select(PortOf))
            .Concat(_topology.Ports().Select(p => p.Port)).ToHashSet();
        int FreePort() => Readiness.FreePort(chosen.Add);
        string Reuse(string service) => _state.Service(service)?.Endpoint ?? Address(FreePort());

        // The org's record first (with the endpoints it will use), so that `down` and a repeated run find its services.
        var peerName = $"peer0.{lower}";
        var peerEndpoint = Address(FreePort());
        var record = resumed ?? new OrganizationRecord
        {
            Name = name,
            MspId = mspId,
            AdminMspDirectory = Path.Combine(ServiceCommands.UserDirectory(crypto, "Admin"), "msp"),
            TlsCaFile = _tls ? Path.Combine(crypto.OutputDirectory, "tlsca", "tlsca-cert.pem") : null,
            AdminTlsCertFile = _tls ? Path.Combine(ServiceCommands.UserDirectory(crypto, "Admin"), "tls", "client.crt") : null,
            AdminTlsKeyFile = _tls ? Path.Combine(ServiceCommands.UserDirectory(crypto, "Admin"), "tls", "client.key") : null,
            Peers =
            [
                new PeerRecord
                {
                    Name = peerName,
                    Endpoint = peerEndpoint,
                    AdminEndpoint = Address(FreePort()),
                    OperationsEndpoint = Address(FreePort()),
                    StateDatabase = "sqlite",
                },
            ],
            // Its peer serves its gateway.
            Gateway = peerEndpoint,
            ConnectionProfile = Path.Combine(_dir, "connections", $"{name}.json"),
            Onboarded = false,
        };
        if (resumed is null)
        {
            _state.Organizations.Add(record);
            _state.Save();
        }
        var peer = record.Peers[0];

        // 1. org init: its CA, TLS CA, peer0, Admin, User1 and its public definition with the anchor peer (also its gateway).
        foreach (var line in OrgCommands.Init(crypto, [peer.Endpoint], [record.Gateway]))
        {
            _log.WriteLine($"org init: {line}");
        }
        var definition = OrganizationDefinitionJson.Read(await File.ReadAllTextAsync(Path.Combine(crypto.OutputDirectory, $"{name}.org.json"), cancellationToken).ConfigureAwait(false));

        // 2. Per channel: proposal by the first member admin, yes votes until the Admins policy is met, apply.
        foreach (var channel in _state.Channels)
        {
            if (!channel.Organizations.Contains(name))
            {
                await ProposeMembershipAsync(channel, definition, cancellationToken).ConfigureAwait(false);
                channel.Organizations.Add(name);
            }
            if (!record.Channels.Contains(channel.Name))
            {
                record.Channels.Add(channel.Name);
            }
            _state.Save();
        }

        // 3. Its chaincode hosts and peer (each peer dials its own org's hosts), as `up` starts them.
        var orgServices = new List<string>();
        var environment = new Dictionary<string, string> { ["Peer__StateDatabase"] = peer.StateDatabase };
        foreach (var contract in contracts)
        {
            var service = $"chaincode.{contract.Name}.{lower}";
            var address = Reuse(service);
            if (_state.Service(service) is null)
            {
                AddChaincodeHost(_state, contract, name, address);
            }
            environment[$"Peer__ChaincodeAddresses__{contract.Name}"] = address;
            orgServices.Add(service);
        }
        if (_state.Service(peerName) is null)
        {
            AddService(_state, peerName, "peer", ServiceCommands.PeerDll, peer.Endpoint, PortOf(peer.OperationsEndpoint),
                ServiceCommands.Peer(peer.Endpoint, peer.AdminEndpoint, peer.OperationsEndpoint, Path.Combine(_dir, "data", peerName), mspId,
                    ServiceCommands.NodeDirectory(crypto, "peers", "peer0"), _tls),
                environment);
        }
        orgServices.Insert(0, peerName);
        record.OnboardedServices = orgServices;
        _state.Save();
        await StartAsync(orgServices.Select(s => _state.Service(s)!), cancellationToken).ConfigureAwait(false);

        // 4. Join every channel from block 0 fetched from the orderer; wait until the peer caught up with the others.
        var admin = OrgAdmin.Load(mspId, record.AdminMspDirectory, peer.Endpoint);
        var connections = GrpcConnections.Load(_state.TlsCaFiles, record.AdminTlsCertFile, record.AdminTlsKeyFile);
        var orderer = _state.Orderers[0].Endpoint;
        foreach (var channel in _state.Channels)
        {
            var governance = new GovernanceClient(connections, channel.Name, TimeSpan.FromSeconds(60));
            var genesis = await governance.FetchBlockAsync(admin, orderer, DeliverRequests.Specified(0), cancellationToken).ConfigureAwait(false);
            await JoinPeersAsync(record, channel.Name, Google.Protobuf.MessageExtensions.ToByteArray(genesis), cancellationToken).ConfigureAwait(false);
        }
        foreach (var channel in _state.Channels)
        {
            await WaitCaughtUpAsync(peer, channel, cancellationToken).ConfigureAwait(false);
        }

        // 5. Approve each contract's committed definition for the org (same definition, its admin, its peer).
        foreach (var contract in contracts)
        {
            var lifecycle = new LifecycleClient(connections, contract.Channel, TimeSpan.FromSeconds(60));
            var committed = await lifecycle.QueryDefinitionAsync(admin, contract.Name, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"contract {contract.Name} has no committed definition on channel {contract.Channel}; run 'zoncoin network up' first");
            await lifecycle.ApproveAsync(admin, committed, orderer, cancellationToken).ConfigureAwait(false);
            _log.WriteLine($"contract {contract.Name} {committed.Version} sequence {committed.Sequence} approved for {mspId} on {contract.Channel}");
        }

        // 6. Its connection profile: applications connect to its peer, which serves its gateway.
        WriteProfile(crypto, record);
        record.Onboarded = true;
        _state.Save();
        _log.WriteLine($"{name} ({mspId}) is a member of {string.Join(", ", record.Channels)}; connection profile {record.ConnectionProfile}");
    }

    private static int PortOf(string endpoint) =>
        int.Parse(endpoint[(endpoint.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);

    /// <summary>
    /// Adds the org to one channel through <c>_governance</c>: the first member admin proposes (endorsed by every member's
    /// peer), member admins vote yes through their own peers until the yes votes meet the channel's Admins policy, and the
    /// first admin applies the update (unless the org is already in the channel's configuration).
    /// </summary>
    private async Task ProposeMembershipAsync(ChannelRecord channel, OrganizationDefinition definition, CancellationToken cancellationToken)
    {
        var members = _state.MembersOf(channel.Name);
        var (admins, connections) = LifecycleParties(_state, members);
        var governance = new GovernanceClient(connections, channel.Name, TimeSpan.FromSeconds(60));
        var orderer = _state.Orderers[0].Endpoint;
        var proposer = admins[0];
        var current = await governance.FetchConfigAsync(proposer, orderer, cancellationToken).ConfigureAwait(false);
        if (current.Application?.Organizations.Any(o => o.MspId == definition.MspId) == true)
        {
            _log.WriteLine($"channel {channel.Name}: {definition.MspId} is already in the configuration");
            return;
        }
        IReadOnlyList<OrgAdmin> endorsers = [.. members.Select(m => proposer with { PeerAddress = m.Peers[0].Endpoint })];
        var (proposal, _, block) = await governance.ProposeAsync(proposer, endorsers, definition, null, TimeSpan.FromMinutes(30),
            $"network add-org {definition.Name}", null, orderer, cancellationToken).ConfigureAwait(false);
        _log.WriteLine($"channel {channel.Name}: proposal {proposal.Id} to add {definition.MspId} created by {proposer.MspId} (block {block})");
        var satisfied = false;
        foreach (var voter in admins)
        {
            // The voter's peer may not have committed the proposal (or the previous vote) yet.
            var seen = await ProposalOnPeerAsync(governance, voter, proposal.Id, cancellationToken).ConfigureAwait(false);
            await governance.VoteAsync(voter, seen, yes: true, orderer, cancellationToken).ConfigureAwait(false);
            var after = await governance.GetAsync(voter, proposal.Id, cancellationToken).ConfigureAwait(false);
            _log.WriteLine($"channel {channel.Name}: {voter.MspId} voted yes on {proposal.Id}");
            if (after.AdminsPolicySatisfied)
            {
                satisfied = true;
                break;
            }
        }
        if (!satisfied)
        {
            throw new InvalidOperationException($"channel {channel.Name}: the yes votes of all members do not meet the Admins policy for proposal {proposal.Id}");
        }
        var (_, configBlock, _, _) = await governance.ApplyAsync(proposer, endorsers, proposal.Id, orderer, cancellationToken).ConfigureAwait(false);
        _log.WriteLine($"channel {channel.Name}: proposal {proposal.Id} applied in config block {configBlock}");
    }

    private static async Task<Protos.Governance.GovernanceProposal> ProposalOnPeerAsync(GovernanceClient governance, OrgAdmin admin, string id, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                return await governance.GetAsync(admin, id, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException) when (DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Waits until the peer's height on the channel reaches the other member peers' height when the wait began.</summary>
    private async Task WaitCaughtUpAsync(PeerRecord peer, ChannelRecord channel, CancellationToken cancellationToken)
    {
        long target = 0;
        foreach (var other in _state.MembersOf(channel.Name).SelectMany(o => o.Peers).Where(p => p.Name != peer.Name))
        {
            if (await HeightsAsync(other, cancellationToken).ConfigureAwait(false) is { } heights && heights.TryGetValue(channel.Name, out var height))
            {
                target = Math.Max(target, height);
            }
        }
        var deadline = DateTimeOffset.UtcNow + CatchUpTimeout;
        long own = 0;
        while (DateTimeOffset.UtcNow < deadline)
        {
            own = (await HeightsAsync(peer, cancellationToken).ConfigureAwait(false))?.GetValueOrDefault(channel.Name) ?? 0;
            if (own >= target)
            {
                _log.WriteLine($"channel {channel.Name}: {peer.Name} caught up (height {own})");
                return;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
        }
        throw new TimeoutException($"channel {channel.Name}: {peer.Name} is at height {own}, not {target}, after {CatchUpTimeout.TotalSeconds:0} s");
    }

    /// <summary>
    /// Keeps the orgs onboarded by <c>add-org</c> (absent from the topology) with their services and channels, and
    /// those it left half-way, so that <c>add-org</c> can be run again and <c>down</c> still stops what it started.
    /// </summary>
    private void CarryOverOnboarded(NetworkState state)
    {
        foreach (var org in _previous?.Organizations.Where(o => o.Onboarded is not null && state.Organizations.All(n => n.Name != o.Name)) ?? [])
        {
            state.Organizations.Add(org);
            // A half-onboarded org's peer may not run or have joined yet: the repeated add-org finds its channels.
            foreach (var channel in state.Channels.Where(c => org.Onboarded == true && org.Channels.Contains(c.Name) && !c.Organizations.Contains(org.Name)))
            {
                channel.Organizations.Add(org.Name);
            }
            // In the order they were recorded.
            state.Services.AddRange(_previous!.Services.Where(s => org.OnboardedServices?.Contains(s.Name) == true));
        }
    }
}
