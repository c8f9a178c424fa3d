using System.CommandLine;
using ZonCoin.Cli.Commands;

var root = new RootCommand("zoncoin: run and administer a ZonCoin network (Fabric-compatible).");
root.Subcommands.Add(CryptoCommands.Create());
root.Subcommands.Add(OrgCommands.Create());
root.Subcommands.Add(ChannelCommands.Create());
root.Subcommands.Add(InspectCommand.Create());
root.Subcommands.Add(OrdererCommands.Create());
root.Subcommands.Add(PeerCommands.Create());
root.Subcommands.Add(ChaincodeCommands.Create());
root.Subcommands.Add(ProposalCommands.Create());
root.Subcommands.Add(TransactionCommands.Create());
root.Subcommands.Add(BenchCommands.Create());
root.Subcommands.Add(KafkaCommands.Create());
root.Subcommands.Add(NetworkCommands.Create());
root.Subcommands.Add(ComposeCommands.Create());
LedgerCommands.AddTo(root);
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
