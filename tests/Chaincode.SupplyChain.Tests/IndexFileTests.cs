using System.Text.Json;

namespace ZonCoin.Chaincode.SupplyChain.Tests;

/// <summary>The index definitions Fabric installs with the package (META-INF/statedb/couchdb/indexes), as copied to the build output.</summary>
public sealed class IndexFileTests
{
    private static readonly string IndexDirectory = Path.Combine(AppContext.BaseDirectory, "META-INF", "statedb", "couchdb", "indexes");

    private static Dictionary<string, (string Ddoc, string[] Fields)> ReadIndexes()
    {
        var indexes = new Dictionary<string, (string, string[])>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(IndexDirectory, "*.json"))
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            var root = json.RootElement;
            Assert.Equal("json", root.GetProperty("type").GetString());
            var name = root.GetProperty("name").GetString()!;
            Assert.Equal(name + ".json", Path.GetFileName(file));
            var fields = root.GetProperty("index").GetProperty("fields").EnumerateArray().Select(f => f.GetString()!).ToArray();
            Assert.NotEmpty(fields);
            Assert.Equal("docType", fields[0]);
            indexes.Add(name, (root.GetProperty("ddoc").GetString()!, fields));
        }
        return indexes;
    }

    [Fact]
    public void Index_files_parse_as_json_with_name_ddoc_and_fields()
    {
        var indexes = ReadIndexes();
        Assert.Equal(["indexBatchStatus", "indexShipmentViolation"], indexes.Keys.Order(StringComparer.Ordinal).ToArray());
        Assert.Equal("indexBatchStatusDoc", indexes["indexBatchStatus"].Ddoc);
        Assert.Equal(["docType", "status", "expiry"], indexes["indexBatchStatus"].Fields);
        Assert.Equal("indexShipmentViolationDoc", indexes["indexShipmentViolation"].Ddoc);
        Assert.Equal(["docType", "violation"], indexes["indexShipmentViolation"].Fields);
    }

    [Theory]
    [InlineData("active", "2027-01-01T00:00:00Z")]
    [InlineData("recalled", "")]
    public void The_batch_status_query_uses_a_declared_index_covering_its_selector_and_sort(string status, string expiringBefore)
    {
        using var query = JsonDocument.Parse(SupplyChainContract.BatchStatusQuery(status, expiringBefore));
        var useIndex = query.RootElement.GetProperty("use_index").EnumerateArray().Select(e => e.GetString()!).ToArray();
        var index = ReadIndexes()[useIndex[1]];
        Assert.Equal("_design/" + index.Ddoc, useIndex[0]);
        var selectorFields = query.RootElement.GetProperty("selector").EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(index.Fields, selectorFields);
        var sortFields = query.RootElement.GetProperty("sort").EnumerateArray().SelectMany(s => s.EnumerateObject().Select(p => p.Name));
        Assert.All(sortFields, f => Assert.Contains(f, selectorFields));
    }
}
