using Microsoft.Extensions.DependencyInjection;
using ZonCoin.Hosting;
using ZonCoin.Ledger.State;
using ZonCoin.Peer.FaultHost;
using ZonCoin.Peer.Hosting;

// zoncoin-peer-faulthost --pause-trigger FILE <the peer's flags>: the peer, pausing a block before its savepoint
// whenever FILE exists (see PauseBeforeSavepoint).
return await NodeHost.RunAsync("peer", args, PeerProgram.CommandLine, builder =>
{
    builder.AddPeer();
    var trigger = builder.Configuration["pause-trigger"] is { Length: > 0 } path
        ? path
        : throw new InvalidOperationException("--pause-trigger FILE is required");
    builder.Services.AddSingleton<IStateWriteHook>(new PauseBeforeSavepoint(trigger));
});
