using ZonCoin.Ledger.State;

namespace ZonCoin.Ledger.Tests.State.RichQuery;

public sealed class StateIndexDefinitionTests
{
    [Fact]
    public void Fabric_index_files_parse_with_names_and_directions()
    {
        var owner = StateIndexDefinition.Parse("indexOwner.json", """{"index":{"fields":["docType","owner"]},"ddoc":"indexOwnerDoc","name":"indexOwner","type":"json"}""");
        Assert.Equal("indexOwner", owner.Name);
        Assert.Equal("indexOwnerDoc", owner.DesignDocument);
        Assert.Equal([new StateIndexField("docType", false), new StateIndexField("owner", false)], owner.Fields);

        var size = StateIndexDefinition.Parse("indexSizeSortDesc.json", """{"index":{"fields":[{"size":"desc"},{"a.b":"asc"}]},"ddoc":"indexSizeSortDoc","name":"indexSizeSortDesc","type":"json"}""");
        Assert.Equal([new StateIndexField("size", true), new StateIndexField("a.b", false)], size.Fields);

        var minimal = StateIndexDefinition.Parse("m.json", """{"index":{"fields":["x"],"partial_filter_selector":{"x":{"$gt":1}}},"name":"m"}""");
        Assert.Null(minimal.DesignDocument);
        Assert.Equal([new StateIndexField("x", false)], minimal.Fields);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[]", "must be a JSON object")]
    [InlineData("""{"index":{"fields":["a"]}}""", "\"name\" is missing")]
    [InlineData("""{"index":{"fields":["a"]},"name":""}""", "\"name\" must be a non-empty string")]
    [InlineData("""{"index":{"fields":["a"]},"name":"n","type":"text"}""", "\"type\" must be \"json\"")]
    [InlineData("""{"name":"n"}""", "\"index\" is missing")]
    [InlineData("""{"index":{},"name":"n"}""", "\"index.fields\" is missing")]
    [InlineData("""{"index":{"fields":[]},"name":"n"}""", "must be a non-empty array")]
    [InlineData("""{"index":{"fields":"a"},"name":"n"}""", "must be a non-empty array")]
    [InlineData("""{"index":{"fields":[{"a":"up"}]},"name":"n"}""", "must be \"asc\" or \"desc\"")]
    [InlineData("""{"index":{"fields":[{"a":"asc","b":"asc"}]},"name":"n"}""", "an index field must be")]
    [InlineData("""{"index":{"fields":[1]},"name":"n"}""", "an index field must be")]
    [InlineData("""{"index":{"fields":["a..b"]},"name":"n"}""", "is not a field path")]
    [InlineData("""{"index":{"fields":[""]},"name":"n"}""", "is not a field path")]
    [InlineData("""{"index":{"fields":["a"]},"name":"n","extra":1}""", "unknown member \"extra\"")]
    [InlineData("""{"index":{"fields":["a"],"x":1},"name":"n"}""", "unknown member \"index.x\"")]
    public void Malformed_index_files_throw_query_exception_naming_file_and_problem(string json, string problem)
    {
        var error = Assert.Throws<QueryException>(() => StateIndexDefinition.Parse("META-INF/statedb/couchdb/indexes/bad.json", json));
        Assert.StartsWith("index definition META-INF/statedb/couchdb/indexes/bad.json: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void More_fields_than_postgresql_can_index_are_refused()
    {
        var fields = string.Join(",", Enumerable.Range(0, StateIndexDefinition.MaxFields + 1).Select(i => $"\"f{i}\""));
        var error = Assert.Throws<QueryException>(() => StateIndexDefinition.Parse("big.json", $$"""{"index":{"fields":[{{fields}}]},"name":"n"}"""));
        Assert.Contains("at most 32", error.Message, StringComparison.Ordinal);
        Assert.Equal(32, StateIndexDefinition.Parse("ok.json", $$"""{"index":{"fields":[{{string.Join(",", Enumerable.Range(0, 32).Select(i => $"\"f{i}\""))}}]},"name":"n"}""").Fields.Count);
    }
}
