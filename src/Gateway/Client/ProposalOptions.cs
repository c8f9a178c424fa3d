using System.Text;

namespace ZonCoin.Gateway.Client;

/// <summary>What a proposal carries besides the function name (Fabric's <c>ProposalOptions</c>).</summary>
public sealed record ProposalOptions
{
    /// <summary>The function's arguments.</summary>
    public IReadOnlyList<byte[]> Arguments { get; init; } = [];

    /// <summary>Private data for the endorsers only: never written to the ledger.</summary>
    public IReadOnlyDictionary<string, byte[]> TransientData { get; init; } = new Dictionary<string, byte[]>();

    /// <summary>MSP IDs of the organizations that must endorse; empty lets the gateway choose.</summary>
    public IReadOnlyList<string> EndorsingOrganizations { get; init; } = [];

    /// <summary>Options with UTF-8 string arguments.</summary>
    public static ProposalOptions WithArguments(params string[] arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return new ProposalOptions { Arguments = [.. arguments.Select(Encoding.UTF8.GetBytes)] };
    }

    /// <summary>Options with binary arguments.</summary>
    public static ProposalOptions WithArguments(params byte[][] arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return new ProposalOptions { Arguments = [.. arguments] };
    }
}
