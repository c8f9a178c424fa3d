using System.Text.Json.Serialization;

namespace ZonCoin.Ledger.State.Postgres;

/// <summary>The JSON the PostgreSQL state database writes itself (bookmarks, index fields), generated at build time.</summary>
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, long>))]
[JsonSerializable(typeof(IReadOnlyList<string>?[]))]
internal sealed partial class LedgerJson : JsonSerializerContext;
