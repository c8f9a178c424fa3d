using System.CommandLine;
using ZonCoin.Cli.Topology;
using System.Globalization;
using ZonCoin.Cli.Governance;
using ZonCoin.Cli.Lifecycle;
using ZonCoin.Cli.Network;
using ZonCoin.Core.Config;
using ZonCoin.Core.Protocol;
using ZonCoin.Protos.Governance;

namespace ZonCoin.Cli.Commands;

/// <summary>
/// <c>zoncoin proposal create|vote|show|list|apply</c>: channel membership governed on the ledger through the peer's
/// <c>_governance</c> system chaincode. Every command runs as one member admin (<c>--msp-id</c>,
/// <c>--admin-msp-dir</c>) through its own peer (the first <c>--peer</c>):
/// <code>
/// zoncoin proposal create --channel supplychain --add-org Pharmacy.org.json --expires 24h \
///   --msp-id Org1MSP --admin-msp-dir org1/users/Admin@org1.zoncoin.local/msp \
///   --peer 127.0.0.1:7051 --peer 127.0.0.1:8051 --orderer 127.0.0.1:7050
/// zoncoin proposal vote --channel supplychain --id p-1a2b3c4d5e6f --yes --msp-id Org2MSP ... --peer 127.0.0.1:8051 --orderer ...
/// zoncoin proposal apply --channel supplychain --id p-1a2b3c4d5e6f --msp-id Org1MSP ... --peer 127.0.0.1:7051 --peer 127.0.0.1:8051 --orderer ...
/// </code>
/// <c>create</c> and <c>apply</c> (which marks the proposal applied) write proposal keys, whose validation policy is the
/// channel's Endorsement policy (by default a MAJORITY of the members' peers): give one <c>--peer</c> per organisation
/// needed. A vote is endorsed by the voter's own peer only. <c>--ca-file</c> (repeatable) turns on TLS;
/// <c>--client-cert</c>/<c>--client-key</c> add a client certificate for mutual TLS.
/// </summary>
internal static class ProposalCommands
{
    public static Command Create()
    {
        var channel = new Option<string>("--channel") { Description = "Channel name", Required = true };
        var mspId = new Option<string?>("--msp-id") { Description = "The admin's MSP ID (default: --org's admin on the local network)" };
        var adminDir = new Option<string?>("--admin-msp-dir") { Description = "The admin's MSP folder (signcerts/, keystore/)" };
        var peers = new Option<string[]>("--peer") { Description = "gRPC host:port of the admin's own peer first, then the other endorsing peers (repeatable; default: the local network's member peers, own first)" };
        var orderer = new Option<string?>("--orderer") { Description = "The orderer's gRPC address, host:port (default: the local network's)" };
        var org = new Option<string?>("--org") { Description = "On the local network: the member organisation (name or MSP ID) whose admin acts (default: the channel's first member)" };
        var networkDir = LocalNetworkDirectory.CreateOption();
        var caFiles = new Option<string[]>("--ca-file") { Description = "TLS CA of peers/orderer (repeatable; turns on TLS)" };
        var clientCert = new Option<FileInfo?>("--client-cert") { Description = "Client TLS certificate (PEM) for mutual TLS" };
        var clientKey = new Option<FileInfo?>("--client-key") { Description = "Client TLS key (PEM)" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for each call and commit", DefaultValueFactory = _ => 60 };
        var id = new Option<string>("--id") { Description = "The proposal id", Required = true };

        // Flags win; without --msp-id/--admin-msp-dir/--peer the local network (zoncoin network up) supplies the
        // admin of --org, its peer first then the other members' peers, the orderer and the TLS files.
        (GovernanceClient Client, OrgAdmin Admin, IReadOnlyList<OrgAdmin> Endorsers) Setup(ParseResult parse)
        {
            var addresses = parse.GetValue(peers) ?? [];
            var channelId = parse.GetValue(channel)!;
            var timeoutValue = TimeSpan.FromSeconds(parse.GetValue(timeout));
            if (parse.GetValue(mspId) is null && parse.GetValue(adminDir) is null && addresses.Length == 0)
            {
                var local = LocalNetworkDirectory.Require(parse, networkDir, "--msp-id, --admin-msp-dir and --peer");
                var members = local.MembersOf(channelId);
                var acting = parse.GetValue(org) is { } name ? local.Organization(name) : members[0];
                var localAdmin = OrgAdmin.Load(acting.MspId, acting.AdminMspDirectory, acting.Peers[0].Endpoint);
                var localConnections = (parse.GetValue(caFiles) ?? []).Length == 0 && parse.GetValue(clientCert) is null
                    ? GrpcConnections.Load(local.TlsCaFiles, acting.AdminTlsCertFile, acting.AdminTlsKeyFile)
                    : GrpcConnections.Load(parse.GetValue(caFiles) ?? [], parse.GetValue(clientCert)?.FullName, parse.GetValue(clientKey)?.FullName);
                var endorsing = members.Where(m => m.MspId != acting.MspId).Select(m => m.Peers[0].Endpoint).Prepend(acting.Peers[0].Endpoint);
                return (new GovernanceClient(localConnections, channelId, timeoutValue), localAdmin, [.. endorsing.Select(address => localAdmin with { PeerAddress = address })]);
            }
            if (addresses.Length == 0 || parse.GetValue(mspId) is null || parse.GetValue(adminDir) is null)
            {
                throw new ArgumentException("give --msp-id, --admin-msp-dir and at least one --peer (the admin's own peer first), or none of them to act on the local network");
            }
            var admin = OrgAdmin.Load(parse.GetValue(mspId)!, parse.GetValue(adminDir)!, addresses[0]);
            var connections = GrpcConnections.Load(parse.GetValue(caFiles) ?? [], parse.GetValue(clientCert)?.FullName, parse.GetValue(clientKey)?.FullName);
            var client = new GovernanceClient(connections, channelId, timeoutValue);
            return (client, admin, [.. addresses.Select(address => admin with { PeerAddress = address })]);
        }

        string Orderer(ParseResult parse) =>
            parse.GetValue(orderer) ?? LocalNetworkDirectory.Require(parse, networkDir, "--orderer").Orderers[0].Endpoint;

        Command Define(string verb, string description, params Option[] options)
        {
            var command = new Command(verb, description) { channel, mspId, adminDir, peers, caFiles, clientCert, clientKey, timeout, org, networkDir };
            foreach (var option in options)
            {
                command.Options.Add(option);
            }
            return command;
        }

        var addOrg = new Option<FileInfo?>("--add-org") { Description = "The org definition file (<name>.org.json from `zoncoin org init`) of the organisation to add" };
        var removeOrg = new Option<string?>("--remove-org") { Description = "The MSP ID of the member to remove" };
        var expires = new Option<string>("--expires") { Description = "How long votes are open, e.g. 24h, 90m, 30s", DefaultValueFactory = _ => "24h" };
        var description = new Option<string>("--description") { Description = "What the proposal is for", DefaultValueFactory = _ => "" };
        var proposalId = new Option<string?>("--id") { Description = "The proposal id (default: p- and 12 random hex digits)" };
        var create = Define("create", "Propose adding or removing an organisation (prints the proposal id)", addOrg, removeOrg, expires, description, proposalId, orderer);
        create.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            var (client, admin, endorsers) = Setup(parse);
            var file = parse.GetValue(addOrg);
            var lifetime = NetworkTopology.ParseDuration(parse.GetValue(expires)!, "--expires");
            var definition = file is null ? null : OrganizationDefinitionJson.Read(await File.ReadAllTextAsync(file.FullName, cancellationToken).ConfigureAwait(false));
            var (proposal, txId, block) = await client.ProposeAsync(admin, endorsers, definition, parse.GetValue(removeOrg), lifetime,
                parse.GetValue(description) ?? "", parse.GetValue(proposalId), Orderer(parse), cancellationToken).ConfigureAwait(false);
            await Console.Error.WriteLineAsync($"proposal {proposal.Id} created on channel '{client.ChannelId}' (tx {txId}, block {block}); votes are open until {proposal.ExpiresAt.ToDateTimeOffset():u}").ConfigureAwait(false);
            Console.WriteLine(proposal.Id);
        }));

        var yes = new Option<bool>("--yes") { Description = "Vote for the proposal (signs its config update)" };
        var no = new Option<bool>("--no") { Description = "Vote against the proposal" };
        var vote = Define("vote", "Vote for or against a proposal as your organisation (a later vote replaces it)", id, yes, no, orderer);
        vote.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            if (parse.GetValue(yes) == parse.GetValue(no))
            {
                throw new ArgumentException("give exactly one of --yes and --no");
            }
            var (client, admin, _) = Setup(parse);
            var proposal = await client.GetAsync(admin, parse.GetValue(id)!, cancellationToken).ConfigureAwait(false);
            var (txId, block) = await client.VoteAsync(admin, proposal, parse.GetValue(yes), Orderer(parse), cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"{admin.MspId} voted {(parse.GetValue(yes) ? "yes" : "no")} on proposal {proposal.Id} (tx {txId}, block {block})");
        }));

        var show = Define("show", "Show a proposal: what it does, its votes and status", id);
        show.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            var (client, admin, _) = Setup(parse);
            Print(await client.GetAsync(admin, parse.GetValue(id)!, cancellationToken).ConfigureAwait(false));
        }));

        var list = Define("list", "List the channel's proposals");
        list.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            var (client, admin, _) = Setup(parse);
            var all = await client.ListAsync(admin, cancellationToken).ConfigureAwait(false);
            if (all.Proposals.Count == 0)
            {
                Console.WriteLine($"no proposals on channel '{client.ChannelId}'");
            }
            foreach (var p in all.Proposals)
            {
                Console.WriteLine($"{p.Id}  {Status(p),-10}  {Action(p)}  yes {p.Votes.Count(v => v.Yes)} no {p.Votes.Count(v => !v.Yes)}  expires {p.ExpiresAt.ToDateTimeOffset():u}  by {p.ProposerMspId}  {p.Description}");
            }
        }));

        var apply = Define("apply", "Submit an approved proposal's config update with the collected signatures and mark it applied", id, orderer);
        apply.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            var (client, admin, endorsers) = Setup(parse);
            var (proposal, block, txId, markBlock) = await client.ApplyAsync(admin, endorsers, parse.GetValue(id)!, Orderer(parse), cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"proposal {proposal.Id} applied: {Action(proposal)} in config block {block} of channel '{client.ChannelId}'");
            Console.WriteLine($"proposal {proposal.Id} marked applied (tx {txId}, block {markBlock})");
        }));

        return new Command("proposal", "Channel membership proposals voted on the ledger (_governance): create, vote, show, list, apply")
        {
            create, vote, show, list, apply,
        };
    }

    private static string Status(GovernanceProposal proposal) => proposal.Status.ToString().ToUpperInvariant();

    private static string Action(GovernanceProposal proposal) => proposal.Action switch
    {
        GovernanceAction.AddOrganization => $"add {proposal.SubjectMspId}",
        GovernanceAction.RemoveOrganization => $"remove {proposal.SubjectMspId}",
        _ => "unknown action",
    };

    private static void Print(GovernanceProposal proposal)
    {
        Console.WriteLine($"Proposal: {proposal.Id}");
        Console.WriteLine($"Channel: {proposal.ChannelId}");
        Console.WriteLine($"Action: {Action(proposal)}");
        Console.WriteLine($"Description: {proposal.Description}");
        Console.WriteLine($"Proposer: {proposal.ProposerMspId}");
        Console.WriteLine($"Created: {proposal.CreatedAt.ToDateTimeOffset():u}");
        Console.WriteLine($"Expires: {proposal.ExpiresAt.ToDateTimeOffset():u}");
        Console.WriteLine($"Status: {Status(proposal)}");
        foreach (var vote in proposal.Votes)
        {
            Console.WriteLine($"Vote: {vote.MspId} {(vote.Yes ? "yes" : "no")} at {vote.VotedAt.ToDateTimeOffset():u} (tx {vote.TxId})");
        }
        Console.WriteLine(proposal.AdminsPolicySatisfied
            ? $"Admins policy: satisfied by the yes votes"
            : $"Admins policy: not satisfied ({proposal.AdminsPolicyReason})");
        if (proposal.Status == ProposalStatus.Applied)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Applied: {proposal.AppliedAt.ToDateTimeOffset():u} (tx {proposal.AppliedTxId})"));
        }
    }
}
