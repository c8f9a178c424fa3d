using System.Text.Json;
using ZonCoin.Ledger.State.Postgres.Query;

namespace ZonCoin.Ledger.State;

/// <summary>
/// An index a chaincode declares for rich queries, in Fabric's CouchDB index file format
/// (META-INF/statedb/couchdb/indexes/*.json):
/// <c>{"index":{"fields":["docType","owner"]},"ddoc":"indexOwnerDoc","name":"indexOwner","type":"json"}</c>, fields
/// also as <c>[{"size":"desc"}]</c>.
/// </summary>
/// <param name="Name">The index name (<c>name</c>).</param>
/// <param name="DesignDocument">The design document (<c>ddoc</c>); null when the file has none.</param>
/// <param name="Fields">The indexed fields in order; never empty.</param>
public sealed record StateIndexDefinition(string Name, string? DesignDocument, IReadOnlyList<StateIndexField> Fields)
{
    /// <summary>PostgreSQL's limit on the columns of one index.</summary>
    public const int MaxFields = 32;

    /// <summary>
    /// Parses an index file. <c>name</c> is required; <c>ddoc</c> is optional; <c>type</c>, if present, must be
    /// <c>"json"</c>; <c>index.fields</c> is a non-empty array of field names (dotted paths with non-empty
    /// segments) or one-member objects <c>{"field":"asc"|"desc"}</c>; <c>index.partial_filter_selector</c> is
    /// accepted and ignored (it only narrows what CouchDB indexes, never a query's results).
    /// </summary>
    /// <exception cref="QueryException">The file is not such an index definition; the message names the file and the problem.</exception>
    public static StateIndexDefinition Parse(string fileName, string json)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw Invalid(fileName, $"not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(fileName, $"the definition must be a JSON object, found {MangoQueryTranslator.Kind(root)}");
            }

            string? name = null;
            string? ddoc = null;
            List<StateIndexField>? fields = null;
            foreach (var member in root.EnumerateObject())
            {
                switch (member.Name)
                {
                    case "name":
                        name = NonEmptyString(fileName, member);
                        break;
                    case "ddoc":
                        ddoc = NonEmptyString(fileName, member);
                        break;
                    case "type":
                        if (member.Value.ValueKind != JsonValueKind.String || member.Value.GetString() != "json")
                        {
                            throw Invalid(fileName, $"\"type\" must be \"json\", found {MangoQueryTranslator.Truncate(member.Value.GetRawText())}");
                        }

                        break;
                    case "index":
                        fields = ParseIndex(fileName, member.Value);
                        break;
                    default:
                        throw Invalid(fileName, $"unknown member \"{MangoQueryTranslator.Truncate(member.Name)}\" (allowed: index, ddoc, name, type)");
                }
            }

            if (name is null)
            {
                throw Invalid(fileName, "\"name\" is missing");
            }

            if (fields is null)
            {
                throw Invalid(fileName, "\"index\" is missing");
            }

            return new StateIndexDefinition(name, ddoc, fields);
        }
    }

    private static List<StateIndexField> ParseIndex(string fileName, JsonElement index)
    {
        if (index.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(fileName, $"\"index\" must be an object with \"fields\", found {MangoQueryTranslator.Kind(index)}");
        }

        List<StateIndexField>? fields = null;
        foreach (var member in index.EnumerateObject())
        {
            switch (member.Name)
            {
                case "fields":
                    fields = ParseFields(fileName, member.Value);
                    break;
                case "partial_filter_selector":
                    break;
                default:
                    throw Invalid(fileName, $"unknown member \"index.{MangoQueryTranslator.Truncate(member.Name)}\" (allowed: fields, partial_filter_selector)");
            }
        }

        return fields ?? throw Invalid(fileName, "\"index.fields\" is missing");
    }

    private static List<StateIndexField> ParseFields(string fileName, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
        {
            throw Invalid(fileName, $"\"index.fields\" must be a non-empty array, found {MangoQueryTranslator.Truncate(value.GetRawText())}");
        }

        if (value.GetArrayLength() > MaxFields)
        {
            throw Invalid(fileName, $"\"index.fields\" has {value.GetArrayLength()} fields; at most {MaxFields} are supported");
        }

        var fields = new List<StateIndexField>();
        foreach (var item in value.EnumerateArray())
        {
            string name;
            var descending = false;
            if (item.ValueKind == JsonValueKind.String)
            {
                name = item.GetString()!;
            }
            else if (item.ValueKind == JsonValueKind.Object && item.GetPropertyCount() == 1)
            {
                var member = item.EnumerateObject().First();
                var direction = member.Value.ValueKind == JsonValueKind.String ? member.Value.GetString() : null;
                if (direction is not ("asc" or "desc"))
                {
                    throw Invalid(fileName, $"the direction of field \"{MangoQueryTranslator.Truncate(member.Name)}\" must be \"asc\" or \"desc\", found {MangoQueryTranslator.Truncate(member.Value.GetRawText())}");
                }

                name = member.Name;
                descending = direction == "desc";
            }
            else
            {
                throw Invalid(fileName, $"an index field must be a field name or {{\"field\":\"asc\"|\"desc\"}}, found {MangoQueryTranslator.Truncate(item.GetRawText())}");
            }

            if (FieldPath.Parse(name).Segments.Any(s => s.Length == 0))
            {
                throw Invalid(fileName, $"index field \"{MangoQueryTranslator.Truncate(name)}\" is not a field path (dot-separated non-empty names)");
            }

            fields.Add(new StateIndexField(name, descending));
        }

        return fields;
    }

    private static string NonEmptyString(string fileName, JsonProperty member) =>
        member.Value.ValueKind == JsonValueKind.String && member.Value.GetString() is { Length: > 0 } text
            ? text
            : throw Invalid(fileName, $"\"{member.Name}\" must be a non-empty string, found {MangoQueryTranslator.Truncate(member.Value.GetRawText())}");

    private static QueryException Invalid(string fileName, string problem, Exception? inner = null) =>
        inner is null
            ? new QueryException($"index definition {fileName}: {problem}")
            : new QueryException($"index definition {fileName}: {problem}", inner);
}
