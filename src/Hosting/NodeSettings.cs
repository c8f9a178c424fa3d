namespace ZonCoin.Hosting;

/// <summary>The settings every node has, checked the same way for the orderer and the peer.</summary>
/// <param name="Section">The configuration section, e.g. <c>Orderer</c>; failures name <c>Section:Setting</c>.</param>
/// <param name="Node">The node kind for messages, e.g. <c>orderer</c>.</param>
public sealed record NodeSettings(
    string Section,
    string Node,
    string ListenAddress,
    string AdminListenAddress,
    string OperationsListenAddress,
    string DataDirectory,
    string MspId,
    string MspDirectory,
    bool Insecure,
    TlsSettings Tls)
{
    /// <summary>Every problem with the common settings, each naming its setting; empty when they are fine.</summary>
    public IEnumerable<string> Validate()
    {
        foreach (var (setting, value) in new[]
        {
            (nameof(ListenAddress), ListenAddress),
            (nameof(AdminListenAddress), AdminListenAddress),
            (nameof(OperationsListenAddress), OperationsListenAddress),
        })
        {
            if (!Endpoints.IsValid(value))
            {
                yield return $"{Section}:{setting}: '{value}' is not a host:port address with an IP or localhost host";
            }
        }
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            yield return $"{Section}:DataDirectory: required (where this {Node} keeps its ledgers)";
        }
        if (string.IsNullOrWhiteSpace(MspId))
        {
            yield return $"{Section}:MspId: required (this {Node}'s organisation MSP ID)";
        }
        if (string.IsNullOrWhiteSpace(MspDirectory) || !Directory.Exists(MspDirectory))
        {
            yield return $"{Section}:MspDirectory: '{MspDirectory}' is not a directory (this {Node}'s msp/ folder with signcerts/ and keystore/)";
        }
        if (!Insecure)
        {
            foreach (var failure in Tls.Validate($"{Section}:Tls"))
            {
                yield return failure;
            }
        }
    }
}
