using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ZonCoin.Chaincode.Contracts;

/// <summary>
/// The JSON that <c>org.hyperledger.fabric:GetMetadata</c> returns, in fabric-contract-api's shape: <c>$schema</c>,
/// <c>info</c>, <c>contracts</c> (each with <c>name</c>, <c>contractInstance</c>, <c>info</c> and <c>transactions</c>
/// with <c>tags</c>, <c>parameters</c> and <c>returns</c>) and <c>components.schemas</c> for complex types.
/// </summary>
internal static class ContractMetadata
{
    public const string Schema = "https://hyperledger.github.io/fabric-chaincode-node/main/api/contract-schema.json";

    public static byte[] Build(IReadOnlyList<(Contract Contract, IReadOnlyDictionary<string, TransactionDescriptor> Transactions)> contracts, string defaultContract)
    {
        var schemas = new JsonObject();
        var contractsJson = new JsonObject();
        foreach (var (contract, transactions) in contracts)
        {
            var transactionsJson = new JsonArray();
            foreach (var transaction in transactions.Values.OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                var parameters = new JsonArray();
                foreach (var parameter in transaction.Arguments)
                {
                    parameters.Add(new JsonObject
                    {
                        ["name"] = parameter.Name,
                        ["description"] = "",
                        ["schema"] = SchemaOf(parameter.ParameterType, schemas),
                    });
                }
                var json = new JsonObject
                {
                    ["name"] = transaction.Name,
                    ["tags"] = transaction.Submit ? new JsonArray("SUBMIT", "submitTx") : new JsonArray("EVALUATE"),
                    ["parameters"] = parameters,
                };
                if (transaction.ResultType is { } result)
                {
                    json["returns"] = SchemaOf(result, schemas);
                }
                transactionsJson.Add(json);
            }
            var info = new JsonObject { ["title"] = contract.Info.Title, ["version"] = contract.Info.Version };
            if (contract.Info.Description is { } description)
            {
                info["description"] = description;
            }
            contractsJson[contract.Name] = new JsonObject
            {
                ["name"] = contract.Name,
                ["contractInstance"] = new JsonObject { ["name"] = contract.Name, ["default"] = contract.Name == defaultContract },
                ["transactions"] = transactionsJson,
                ["info"] = info,
            };
        }
        var root = new JsonObject
        {
            ["$schema"] = Schema,
            ["contracts"] = contractsJson,
            ["info"] = new JsonObject { ["version"] = Assembly.GetEntryAssembly()?.GetName().Version?.ToString() ?? "1.0.0", ["title"] = Assembly.GetEntryAssembly()?.GetName().Name ?? defaultContract },
            ["components"] = new JsonObject { ["schemas"] = schemas },
        };
        return JsonSerializer.SerializeToUtf8Bytes(root);
    }

    private static JsonObject SchemaOf(Type type, JsonObject schemas)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target == typeof(string) || target == typeof(Guid))
        {
            return new JsonObject { ["type"] = "string" };
        }
        if (target == typeof(bool))
        {
            return new JsonObject { ["type"] = "boolean" };
        }
        if (target == typeof(int) || target == typeof(short) || target == typeof(byte) || target == typeof(sbyte) || target == typeof(ushort))
        {
            return new JsonObject { ["type"] = "integer", ["format"] = "int32" };
        }
        if (target == typeof(long) || target == typeof(uint) || target == typeof(ulong))
        {
            return new JsonObject { ["type"] = "integer", ["format"] = "int64" };
        }
        if (ContractSerializer.IsNumber(target))
        {
            return new JsonObject { ["type"] = "number" };
        }
        if (target == typeof(byte[]) || target == typeof(ReadOnlyMemory<byte>))
        {
            return new JsonObject { ["type"] = "string", ["format"] = "byte" };
        }
        if (target == typeof(DateTimeOffset) || target == typeof(DateTime))
        {
            return new JsonObject { ["type"] = "string", ["format"] = "date-time" };
        }
        if (target.IsEnum)
        {
            return new JsonObject { ["type"] = "string", ["enum"] = new JsonArray([.. Enum.GetNames(target).Select(n => (JsonNode)n)]) };
        }
        if (target != typeof(string) && typeof(IEnumerable).IsAssignableFrom(target))
        {
            var element = target.IsArray ? target.GetElementType()!
                : target.GetInterfaces().Append(target).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0] ?? typeof(object);
            return new JsonObject { ["type"] = "array", ["items"] = SchemaOf(element, schemas) };
        }
        if (target == typeof(object))
        {
            return new JsonObject { ["type"] = "object" };
        }
        var name = target.Name;
        if (!schemas.ContainsKey(name))
        {
            var properties = new JsonObject();
            var schema = new JsonObject { ["$id"] = name, ["type"] = "object", ["properties"] = properties, ["additionalProperties"] = false };
            schemas[name] = schema;
            foreach (var property in target.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
            {
                var jsonName = property.GetCustomAttribute<System.Text.Json.Serialization.JsonPropertyNameAttribute>()?.Name ?? property.Name;
                properties[jsonName] = SchemaOf(property.PropertyType, schemas);
            }
        }
        return new JsonObject { ["$ref"] = $"#/components/schemas/{name}" };
    }
}
