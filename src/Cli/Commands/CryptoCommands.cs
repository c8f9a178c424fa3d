using System.CommandLine;
using ZonCoin.Cli.Crypto;

namespace ZonCoin.Cli.Commands;

/// <summary><c>zoncoin crypto generate</c>.</summary>
internal static class CryptoCommands
{
    public static Command Create()
    {
        var org = new Option<string>("--org") { Description = "Organisation name, e.g. Org1", Required = true };
        var mspId = new Option<string>("--msp-id") { Description = "MSP ID, e.g. Org1MSP", Required = true };
        var domain = new Option<string?>("--domain") { Description = "DNS domain of the org's nodes (default: <org>.zoncoin.local)" };
        var peers = new Option<int>("--peers") { Description = "Number of peers", DefaultValueFactory = _ => 1 };
        var orderers = new Option<int>("--orderers") { Description = "Number of ordering nodes", DefaultValueFactory = _ => 0 };
        var users = new Option<int>("--users") { Description = "Number of client users besides the admin", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "Output folder for this org's crypto material", Required = true };
        foreach (var count in new[] { peers, orderers, users })
        {
            count.Validators.Add(result =>
            {
                if (result.GetValueOrDefault<int>() is < 0 or > 100)
                {
                    result.AddError($"{result.Option.Name} must be between 0 and 100");
                }
            });
        }

        var generate = new Command("generate", "Generate a signing CA, a TLS CA, node and user certificates and MSP folders for one org")
        {
            org, mspId, domain, peers, orderers, users, output,
        };
        generate.SetAction(parse => CommandErrors.Run(() =>
        {
            var orgName = parse.GetValue(org)!;
            var request = new OrgCryptoRequest(
                orgName,
                parse.GetValue(mspId)!,
                parse.GetValue(domain) ?? $"{orgName.ToLowerInvariant()}.zoncoin.local",
                parse.GetValue(peers),
                parse.GetValue(orderers),
                parse.GetValue(users),
                Path.GetFullPath(parse.GetValue(output)!));
            foreach (var path in OrgCryptoGenerator.Generate(request))
            {
                Console.WriteLine(path);
            }
            Console.WriteLine($"crypto material for {request.MspId} written to {request.OutputDirectory}");
        }));

        return new Command("crypto", "Crypto material for organisations") { generate };
    }
}
