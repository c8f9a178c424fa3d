using Grpc.Core;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Protocol;
using ZonCoin.Gateway.Hosting;
using ZonCoin.Gateway.Nodes;
using ZonCoin.Protos.Lifecycle;
using ZonCoin.Protos.Peer;
using ZonCoin.Rpc.Deliver;
using Block = ZonCoin.Protos.Common.Block;
using BlockHeader = ZonCoin.Protos.Common.BlockHeader;

namespace ZonCoin.Gateway.Tests.Nodes;

/// <summary>
/// A gateway inside a peer: proposals for that peer go to its endorser in-process, with the gateway's answers and
/// timeout, and its committed blocks are followed in-process.
/// </summary>
public sealed class PeerClientTests : IDisposable
{
    private const string Own = "127.0.0.1:7051";
    private static readonly PeerAddress OwnPeer = new("Org1MSP", Own);

    // Nothing listens on the peers' addresses: an answer can only come from the local endorser.
    private readonly NodeConnections _connections = new(null, [], TimeSpan.FromSeconds(1));
    private readonly CertificateAuthority _ca = CertificateAuthority.CreateRoot("ca.org1", "Org1MSP", notBefore: DateTimeOffset.UtcNow.AddDays(-1));
    private readonly MemoryChains _chains = new();

    private PeerClient Client(Func<SignedProposal, CancellationToken, Task<ProposalResponse>> endorser, TimeSpan? timeout = null)
    {
        var issued = _ca.Issue(new CertificateSpec { CommonName = "peer0.org1", Organization = "Org1MSP", OrganizationalUnits = ["peer"] });
        var identity = new SigningIdentity("Org1MSP", MspIdentity.Serialize("Org1MSP", issued.Certificate), new EcdsaSigner(issued.Key));
        var local = new LocalPeer(Own, endorser, (channel, chaincode) => channel == "known" ? (true, chaincode == "basic" ? new ChaincodeDefinition { Name = "basic" } : null) : (false, null),
            _chains);
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

    [Fact]
    public async Task The_own_peers_blocks_are_followed_in_process_from_the_given_number_as_they_commit()
    {
        var chain = _chains.Add("known");
        chain.Append(3);
        var client = Client((_, _) => Task.FromResult(new ProposalResponse()));
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await using var blocks = client.FollowAsync(OwnPeer, "known", 1, guard.Token).GetAsyncEnumerator(guard.Token);
        Assert.True(await blocks.MoveNextAsync());
        Assert.Equal(1UL, blocks.Current.Header.Number);
        Assert.True(await blocks.MoveNextAsync());
        Assert.Equal(2UL, blocks.Current.Header.Number);

        var next = blocks.MoveNextAsync().AsTask();
        Assert.False(next.IsCompleted);
        chain.Append(1);
        Assert.True(await next);
        Assert.Equal(3UL, blocks.Current.Header.Number);
    }

    [Fact]
    public async Task The_own_peers_newest_or_numbered_block_is_read_in_process_and_a_missing_one_is_not_found()
    {
        var chain = _chains.Add("known");
        chain.Append(3);
        var client = Client((_, _) => Task.FromResult(new ProposalResponse()));

        Assert.Equal(2UL, (await client.ReadBlockAsync(OwnPeer, "known", null, CancellationToken.None)).Header.Number);
        Assert.Equal(1UL, (await client.ReadBlockAsync(OwnPeer, "known", 1, CancellationToken.None)).Header.Number);
        var notYet = await Assert.ThrowsAsync<PeerRefusedException>(() => client.ReadBlockAsync(OwnPeer, "known", 3, CancellationToken.None));
        Assert.Equal(Protos.Common.Status.NotFound, notYet.Status);
        var unjoined = await Assert.ThrowsAsync<PeerRefusedException>(() => client.ReadBlockAsync(OwnPeer, "unjoined", null, CancellationToken.None));
        Assert.Equal(Protos.Common.Status.NotFound, unjoined.Status);
        _chains.Add("empty");
        Assert.Equal(Protos.Common.Status.NotFound, (await Assert.ThrowsAsync<PeerRefusedException>(() => client.ReadBlockAsync(OwnPeer, "empty", null, CancellationToken.None))).Status);
    }

    [Fact]
    public async Task Following_a_channel_the_own_peer_has_not_joined_is_refused_not_found()
    {
        var client = Client((_, _) => Task.FromResult(new ProposalResponse()));

        var error = await Assert.ThrowsAsync<PeerRefusedException>(async () =>
        {
            await foreach (var block in client.FollowAsync(OwnPeer, "unjoined", 0, CancellationToken.None))
            {
                Assert.Fail($"unexpected block {block.Header.Number}");
            }
        });

        Assert.Equal(Protos.Common.Status.NotFound, error.Status);
    }

    [Fact]
    public async Task Following_ends_with_ObjectDisposedException_when_the_own_peer_closes_the_channel()
    {
        var chain = _chains.Add("known");
        var client = Client((_, _) => Task.FromResult(new ProposalResponse()));
        await using var blocks = client.FollowAsync(OwnPeer, "known", 0, CancellationToken.None).GetAsyncEnumerator();

        var next = blocks.MoveNextAsync().AsTask();
        chain.Close();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => next);
    }

    public void Dispose()
    {
        _connections.Dispose();
        _ca.Dispose();
    }
}

/// <summary>Channels whose blocks are appended by the test (a peer's committed blocks, as Deliver reads them).</summary>
internal sealed class MemoryChains : IDeliverChains
{
    private readonly Dictionary<string, MemoryChain> _channels = new(StringComparer.Ordinal);

    public MemoryChain Add(string channelId) => _channels[channelId] = new MemoryChain();

    public IDeliverChain? Find(string channelId) => _channels.GetValueOrDefault(channelId);
}

internal sealed class MemoryChain : IDeliverChain
{
    private readonly List<Block> _blocks = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _closed;

    public ulong Height
    {
        get
        {
            lock (_blocks)
            {
                return (ulong)_blocks.Count;
            }
        }
    }

    public string? Fault => null;

    public DeliverAccess Access => null!;

    public Block GetBlock(ulong number)
    {
        lock (_blocks)
        {
            return _blocks[(int)number];
        }
    }

    public void Append(int count)
    {
        TaskCompletionSource changed;
        lock (_blocks)
        {
            for (var i = 0; i < count; i++)
            {
                _blocks.Add(new Block { Header = new BlockHeader { Number = (ulong)_blocks.Count } });
            }
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.SetResult();
    }

    public void Close()
    {
        lock (_blocks)
        {
            _closed = true;
        }
        Append(0);
    }

    public async Task WaitForBlockAsync(ulong number, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_blocks)
            {
                if ((ulong)_blocks.Count > number)
                {
                    return;
                }
                ObjectDisposedException.ThrowIf(_closed, this);
                changed = _changed.Task;
            }
            await changed.WaitAsync(cancellationToken);
        }
    }
}
