using Grpc.Core;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Protocol;
using ZonCoin.Gateway.Hosting;
using ZonCoin.Gateway.Nodes;
using ZonCoin.Protos.Lifecycle;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Gateway.Tests.Nodes;

/// <summary>A gateway inside a peer: proposals for that peer go to its endorser in-process, with the gateway's answers and timeout.</summary>
public sealed class PeerClientTests : IDisposable
{
    private const string Own = "127.0.0.1:7051";
    private static readonly PeerAddress OwnPeer = new("Org1MSP", Own);

    // Nothing listens on the peers' addresses: an answer can only come from the local endorser.
    private readonly NodeConnections _connections = new(null, [], TimeSpan.FromSeconds(1));
    private readonly CertificateAuthority _ca = CertificateAuthority.CreateRoot("ca.org1", "Org1MSP", notBefore: DateTimeOffset.UtcNow.AddDays(-1));

    private PeerClient Client(Func<SignedProposal, CancellationToken, Task<ProposalResponse>> endorser, TimeSpan? timeout = null)
    {
        var issued = _ca.Issue(new CertificateSpec { CommonName = "peer0.org1", Organization = "Org1MSP", OrganizationalUnits = ["peer"] });
        var identity = new SigningIdentity("Org1MSP", MspIdentity.Serialize("Org1MSP", issued.Certificate), new EcdsaSigner(issued.Key));
        var local = new LocalPeer(Own, endorser, (channel, chaincode) => channel == "known" ? (true, chaincode == "basic" ? new ChaincodeDefinition { Name = "basic" } : null) : (false, null));
        return new PeerClient(_connections, identity, timeout ?? TimeSpan.FromSeconds(30), TimeProvider.System, local);
    }

    [Fact]
    public async Task A_proposal_for_the_own_peer_is_endorsed_in_process()
    {
        var seen = new List<SignedProposal>();
        var proposal = new SignedProposal { ProposalBytes = Google.Protobuf.ByteString.CopyFromUtf8("p") };
        var client = Client((signed, _) =>
        {
            seen.Add(signed);
            return Task.FromResult(new ProposalResponse { Response = new Response { Status = 200 } });
        });

        var answer = await client.ProcessProposalAsync(OwnPeer, proposal, CancellationToken.None);

        Assert.True(answer.IsSuccess);
        Assert.Same(proposal, Assert.Single(seen));
    }

    [Fact]
    public async Task The_endorsers_refusal_and_a_chaincode_error_are_classified_as_over_grpc()
    {
        var refused = await Client((_, _) => throw new RpcException(new Status(StatusCode.Unknown, "access denied")))
            .ProcessProposalAsync(OwnPeer, new SignedProposal(), CancellationToken.None);
        Assert.Equal((StatusCode.FailedPrecondition, "access denied"), (refused.Code, refused.Message));

        var failed = await Client((_, _) => Task.FromResult(new ProposalResponse { Response = new Response { Status = 500, Message = "boom" }, Payload = Google.Protobuf.ByteString.CopyFromUtf8("x") }))
            .ProcessProposalAsync(OwnPeer, new SignedProposal(), CancellationToken.None);
        Assert.Equal(StatusCode.Unknown, failed.Code);
    }

    [Fact]
    public async Task An_endorser_that_does_not_answer_within_the_endorsement_timeout_is_deadline_exceeded()
    {
        var client = Client(async (_, cancellationToken) =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return new ProposalResponse();
        }, timeout: TimeSpan.FromMilliseconds(50));

        var answer = await client.ProcessProposalAsync(OwnPeer, new SignedProposal(), CancellationToken.None);

        Assert.Equal(StatusCode.DeadlineExceeded, answer.Code);
        Assert.True(answer.Retry);
    }

    [Fact]
    public async Task Another_peer_is_called_over_the_network()
    {
        var called = false;
        var client = Client((_, _) =>
        {
            called = true;
            return Task.FromResult(new ProposalResponse());
        });

        var answer = await client.ProcessProposalAsync(new PeerAddress("Org2MSP", "127.0.0.1:1"), new SignedProposal(), CancellationToken.None);

        Assert.False(called);
        Assert.Equal(StatusCode.Unavailable, answer.Code);
    }

    [Fact]
    public void Chaincode_definitions_are_read_locally_only_for_the_own_peer_on_a_joined_channel()
    {
        var client = Client((_, _) => Task.FromResult(new ProposalResponse()));

        Assert.True(client.TryFindDefinitionLocally(OwnPeer, "known", "basic", out var basic));
        Assert.Equal("basic", basic?.Name);
        Assert.True(client.TryFindDefinitionLocally(OwnPeer, "known", "absent", out var absent));
        Assert.Null(absent);
        Assert.False(client.TryFindDefinitionLocally(OwnPeer, "unjoined", "basic", out _));
        Assert.False(client.TryFindDefinitionLocally(new PeerAddress("Org1MSP", "127.0.0.1:7061"), "known", "basic", out _));
    }

    public void Dispose()
    {
        _connections.Dispose();
        _ca.Dispose();
    }
}
