namespace ZonCoin.Hosting;

/// <summary>
/// A node program's friendly flags: <see cref="Switches"/> maps a flag to its configuration key
/// (<c>--listen</c> → <c>Peer:ListenAddress</c>), <see cref="BooleanFlags"/> may be given without a value, and each
/// of <see cref="ListFlags"/> takes a comma-separated list, may be repeated, and fills the indexed keys of a list
/// setting (see <see cref="CommandLineFlags.Normalize"/>).
/// </summary>
public sealed record NodeCommandLine(
    IReadOnlyDictionary<string, string> Switches,
    IReadOnlyCollection<string> BooleanFlags,
    IReadOnlyDictionary<string, string> ListFlags)
{
    /// <summary>The arguments rewritten for the configuration command-line provider.</summary>
    public string[] Normalize(IReadOnlyList<string> args) => CommandLineFlags.Normalize(args, BooleanFlags, ListFlags);
}
