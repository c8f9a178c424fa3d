namespace ZonCoin.Ledger.State;

/// <summary>
/// One page of a paginated rich query (<c>GetQueryResultWithPagination</c>): its results and the bookmark of the
/// next page (opaque to chaincode; an empty page returns the bookmark it was given).
/// </summary>
public sealed record QueryPage(IReadOnlyList<StateEntry> Results, string Bookmark);
