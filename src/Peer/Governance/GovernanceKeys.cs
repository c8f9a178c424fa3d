namespace ZonCoin.Peer.Governance;

/// <summary>
/// Where <c>_governance</c> keeps proposals and votes in its namespace of the channel state:
/// <c>proposals/&lt;id&gt;</c> holds a <c>GovernanceProposal</c> (written by CreateProposal and MarkApplied) and
/// <c>votes/&lt;id&gt;/&lt;MSP ID&gt;</c> an organisation's <c>GovernanceVote</c> (written by Vote, replaced by a later vote).
/// </summary>
internal static class GovernanceKeys
{
    public const string Namespace = "_governance";
    public const string ProposalPrefix = "proposals/";
    public const string VotePrefix = "votes/";

    public static string Proposal(string id) => ProposalPrefix + id;

    public static string Vote(string id, string mspId) => $"{VotePrefix}{id}/{mspId}";

    /// <summary>The range start and end (exclusive) of a proposal's votes.</summary>
    public static (string Start, string End) Votes(string id) => ($"{VotePrefix}{id}/", $"{VotePrefix}{id}0");

    /// <summary>The MSP ID a vote key is for, or null when the key is not a vote.</summary>
    public static string? VoteMspId(string key)
    {
        if (!key.StartsWith(VotePrefix, StringComparison.Ordinal))
        {
            return null;
        }
        var rest = key[VotePrefix.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && slash < rest.Length - 1 && rest.IndexOf('/', slash + 1) < 0 ? rest[(slash + 1)..] : null;
    }
}
