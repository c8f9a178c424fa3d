using System.CommandLine;
using ZonCoin.Cli.Crypto;
using ZonCoin.Core.Config;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Identity;

namespace ZonCoin.Cli.Commands;

/// <summary>
/// <c>zoncoin org init</c>: everything a partner organisation needs before it is admitted to a consortium, run by the
/// partner itself. Its CA, TLS CA, one peer, an Admin and User1 (as <c>crypto generate</c> writes them) and its public
/// definition <c>DIR/&lt;name&gt;.org.json</c> (<see cref="OrganizationDefinitionJson"/>) to hand to a member admin, who
/// proposes it with <c>zoncoin proposal create --add-org</c>. Keys never leave DIR.
/// <para>
/// Rerunning is safe: existing crypto material in DIR is reused, never regenerated (it is refused when it was made for
/// another domain), and an existing definition file is left alone when it is identical and refused when it differs
/// (remove it to write a new one, e.g. with other endpoints).
/// </para>
/// </summary>
internal static class OrgCommands
{
    public static Command Create()
    {
        var name = new Option<string>("--name") { Description = "Organisation name, e.g. Pharmacy (its policy group in channel configs)", Required = true };
        var mspId = new Option<string>("--msp-id") { Description = "MSP ID, e.g. PharmacyMSP", Required = true };
        var output = new Option<string>("--out") { Description = "Output folder for the organisation's crypto material and definition", Required = true };
        var domain = new Option<string?>("--domain") { Description = "DNS domain of the org's nodes (default: <name>.zoncoin.local)" };
        var peerEndpoints = new Option<string[]>("--peer-endpoint") { Description = "host:port of the org's anchor peer (repeatable)" };
        var gatewayEndpoints = new Option<string[]>("--gateway-endpoint") { Description = "host:port of the org's gateway (repeatable)" };
        var init = new Command("init", "Create a partner organisation: CA, TLS CA, a peer, Admin and User1, and its public definition file")
        {
            name, mspId, output, domain, peerEndpoints, gatewayEndpoints,
        };
        init.SetAction(parse => CommandErrors.Run(() =>
        {
            var orgName = parse.GetValue(name)!;
            if (orgName.Length == 0 || orgName.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            {
                throw new ArgumentException($"--name '{orgName}' is invalid: use letters, digits, '-', '_' and '.'");
            }
            var request = new OrgCryptoRequest(
                orgName,
                parse.GetValue(mspId)!,
                parse.GetValue(domain) ?? $"{orgName.ToLowerInvariant()}.zoncoin.local",
                Peers: 1,
                Orderers: 0,
                Users: 1,
                Path.GetFullPath(parse.GetValue(output)!));
            foreach (var line in Init(request, parse.GetValue(peerEndpoints) ?? [], parse.GetValue(gatewayEndpoints) ?? []))
            {
                Console.WriteLine(line);
            }
        }));
        return new Command("org", "Partner organisations") { init };
    }

    /// <summary>Generates or reuses the material and writes the definition file; returns what it did, one line each.</summary>
    internal static IReadOnlyList<string> Init(OrgCryptoRequest request, IReadOnlyList<string> peerEndpoints, IReadOnlyList<string> gatewayEndpoints)
    {
        foreach (var endpoint in peerEndpoints.Concat(gatewayEndpoints))
        {
            if (!endpoint.Contains(':', StringComparison.Ordinal))
            {
                throw new ArgumentException($"endpoint '{endpoint}' is not host:port");
            }
        }
        var lines = new List<string>();
        var output = request.OutputDirectory;
        var caCertificate = Path.Combine(output, "ca", "ca-cert.pem");
        if (OrgCryptoGenerator.Exists(request))
        {
            var subject = Pem.ReadCertificate(File.ReadAllText(caCertificate)).GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, forIssuer: false);
            if (subject != $"ca.{request.Domain}")
            {
                throw new InvalidOperationException($"'{output}' holds crypto material of another organisation (CA {subject}, not ca.{request.Domain}); choose another --out");
            }
            lines.Add($"reusing the crypto material in {output}");
        }
        else
        {
            lines.AddRange(OrgCryptoGenerator.Generate(request));
        }
        var definition = new OrganizationDefinition(request.Org, request.MspId, MspDirectory.LoadDefinition(Path.Combine(output, "msp"), request.MspId))
        {
            PeerEndpoints = peerEndpoints,
            GatewayEndpoints = gatewayEndpoints,
        };
        var file = Path.Combine(output, $"{request.Org}.org.json");
        var json = OrganizationDefinitionJson.Write(definition);
        if (File.Exists(file))
        {
            if (File.ReadAllText(file) != json)
            {
                throw new InvalidOperationException($"'{file}' exists with a different definition (MSP ID, certificates or endpoints); remove it to write a new one");
            }
            lines.Add($"{file} is unchanged");
        }
        else
        {
            File.WriteAllText(file, json);
            lines.Add(file);
        }
        lines.Add($"{request.MspId}: hand {file} to a member admin of the consortium (zoncoin proposal create --add-org {file})");
        return lines;
    }
}
