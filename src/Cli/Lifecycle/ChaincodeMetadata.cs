using ZonCoin.Ledger.State;
using ZonCoin.Protos.Lifecycle;

namespace ZonCoin.Cli.Lifecycle;

/// <summary>
/// A chaincode's metadata folder, laid out as in a Fabric chaincode package: <c>META-INF/statedb/couchdb/indexes/*.json</c>
/// holds the CouchDB index definitions its rich queries use.
/// </summary>
internal static class ChaincodeMetadata
{
    private static readonly string IndexPath = Path.Combine("statedb", "couchdb", "indexes");

    /// <summary>
    /// The index definitions under <paramref name="directory"/> (a chaincode folder containing <c>META-INF</c>, or
    /// the <c>META-INF</c> folder itself), sorted by file name, each checked to be a valid index definition.
    /// </summary>
    /// <exception cref="ArgumentException">No index folder is there, or a file is not a valid index definition.</exception>
    public static IReadOnlyList<StateDatabaseIndex> ReadIndexes(string directory)
    {
        var folder = new[] { Path.Combine(directory, "META-INF", IndexPath), Path.Combine(directory, IndexPath) }.FirstOrDefault(Directory.Exists)
            ?? throw new ArgumentException($"--metadata-dir: {directory} has no META-INF/statedb/couchdb/indexes folder (nor statedb/couchdb/indexes)");
        var indexes = new List<StateDatabaseIndex>();
        foreach (var file in Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            var index = new StateDatabaseIndex { FileName = Path.GetFileName(file), Definition = File.ReadAllText(file) };
            try
            {
                StateIndexDefinition.Parse(index.FileName, index.Definition);
            }
            catch (QueryException ex)
            {
                throw new ArgumentException($"--metadata-dir: {ex.Message}", ex);
            }
            indexes.Add(index);
        }
        return indexes;
    }
}
