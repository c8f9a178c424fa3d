using System.CommandLine;
using System.Text;
using ZonCoin.Gateway.Client;

namespace ZonCoin.Cli.Commands;

/// <summary>
/// <c>zoncoin transaction submit|evaluate</c>: calls a chaincode function through a gateway, as an application would,
/// reading the connection profile (endpoint, TLS root, identity) that applications use:
/// <code>
/// zoncoin transaction submit --profile org1.json --channel supplychain --chaincode basic CreateAsset a1 blue 5 Tom 100
/// zoncoin transaction evaluate --profile org1.json --chaincode basic ReadAsset a1
/// </code>
/// The result is printed as UTF-8 text; failures print the gateway's status, message and per-peer details.
/// </summary>
internal static class TransactionCommands
{
    public static Command Create()
    {
        var profile = new Option<FileInfo>("--profile") { Description = "Connection profile (JSON) of the organisation and user", Required = true };
        var channel = new Option<string?>("--channel") { Description = "Channel (default: the profile's first)" };
        var chaincode = new Option<string>("--chaincode") { Description = "Chaincode name", Required = true };
        var contract = new Option<string?>("--contract") { Description = "Contract name within the chaincode (calls Contract:Function)" };
        var admin = new Option<bool>("--admin") { Description = "Act as the profile's admin identity instead of its user" };
        var endorsers = new Option<string[]>("--endorsing-org") { Description = "Endorse on exactly these organisations (MSP IDs; repeatable)", AllowMultipleArgumentsPerToken = false };
        var function = new Argument<string>("function") { Description = "The transaction function" };
        var args = new Argument<string[]>("args") { Description = "Its arguments (strings)", Arity = ArgumentArity.ZeroOrMore };

        Command Verb(string name, string description) => new(name, description) { profile, channel, chaincode, contract, admin, endorsers, function, args };

        Contract Open(ParseResult parse, out Gateway.Client.Gateway gateway)
        {
            var loaded = ConnectionProfile.Load(parse.GetValue(profile)!.FullName);
            var channelName = parse.GetValue(channel) ?? (loaded.Channels.Count > 0 ? loaded.Channels[0] : throw new ArgumentException("--channel is required: the profile lists no channels"));
            gateway = Gateway.Client.Gateway.Connect(loaded, asAdmin: parse.GetValue(admin));
            return gateway.GetNetwork(channelName).GetContract(parse.GetValue(chaincode)!, parse.GetValue(contract));
        }

        ProposalOptions Options(ParseResult parse) => ProposalOptions.WithArguments(parse.GetValue(args) ?? []) with
        {
            EndorsingOrganizations = parse.GetValue(endorsers) ?? [],
        };

        var submit = Verb("submit", "Endorse, order and commit a transaction; prints its result, transaction id and block");
        submit.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            var target = Open(parse, out var gateway);
            using (gateway)
            {
                var submitted = await target.SubmitAsync(parse.GetValue(function)!, Options(parse), cancellationToken).ConfigureAwait(false);
                var status = await submitted.GetStatusAsync(cancellationToken).ConfigureAwait(false);
                if (!status.Successful)
                {
                    throw new CommitException(status);
                }
                Console.WriteLine(Encoding.UTF8.GetString(submitted.Result));
                await Console.Error.WriteLineAsync($"committed: transaction {status.TransactionId}, block {status.BlockNumber}").ConfigureAwait(false);
            }
        }));

        var evaluate = Verb("evaluate", "Run a query on one peer (nothing is ordered); prints its result");
        evaluate.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            var target = Open(parse, out var gateway);
            using (gateway)
            {
                var result = await target.EvaluateTransactionAsync(parse.GetValue(function)!, Options(parse), cancellationToken).ConfigureAwait(false);
                Console.WriteLine(Encoding.UTF8.GetString(result));
            }
        }));

        return new Command("transaction", "Submit or evaluate chaincode transactions through a gateway, from a connection profile") { submit, evaluate };
    }
}
