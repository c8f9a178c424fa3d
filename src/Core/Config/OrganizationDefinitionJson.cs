using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using ZonCoin.Core.Identity;
using ZonCoin.Protos.Msp;

namespace ZonCoin.Core.Config;

/// <summary>
/// The public definition of an organisation that asks to join a consortium (<c>&lt;name&gt;.org.json</c>, written by
/// <c>zoncoin org init</c>): what a channel configuration needs to admit it and nothing secret.
/// <code>
/// { "name": "Pharmacy", "mspId": "PharmacyMSP",
///   "peerEndpoints": ["peer0.pharmacy.example:7051"], "gatewayEndpoints": [],
///   "msp": { FabricMSPConfig in protobuf JSON: rootCerts, tlsRootCerts (base64 PEM), fabricNodeOus (admin OU ...) } }
/// </code>
/// Like Fabric's <c>configtxgen -printOrg</c> output, certificates are base64 of their PEM.
/// </summary>
public static class OrganizationDefinitionJson
{
    public static string Write(OrganizationDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var json = new JsonObject
        {
            ["name"] = definition.Name,
            ["mspId"] = definition.MspId,
            ["peerEndpoints"] = new JsonArray([.. definition.PeerEndpoints.Select(e => (JsonNode?)JsonValue.Create(e))]),
            ["gatewayEndpoints"] = new JsonArray([.. definition.GatewayEndpoints.Select(e => (JsonNode?)JsonValue.Create(e))]),
            ["msp"] = JsonNode.Parse(JsonFormatter.Default.Format(definition.Msp)),
        };
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>Reads and validates a definition; throws <see cref="MspConfigurationException"/> naming what is wrong.</summary>
    public static OrganizationDefinition Read(string text)
    {
        JsonObject json;
        try
        {
            json = JsonNode.Parse(text) as JsonObject ?? throw new MspConfigurationException("an organisation definition must be a JSON object");
        }
        catch (JsonException ex)
        {
            throw new MspConfigurationException($"the organisation definition is not valid JSON: {ex.Message}", ex);
        }
        var name = Text(json, "name");
        var mspId = Text(json, "mspId");
        if (json["msp"] is not JsonObject mspJson)
        {
            throw new MspConfigurationException("the organisation definition has no \"msp\" object");
        }
        FabricMSPConfig msp;
        try
        {
            msp = JsonParser.Default.Parse<FabricMSPConfig>(mspJson.ToJsonString());
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new MspConfigurationException($"the organisation definition's \"msp\" is not an MSP definition: {ex.Message}", ex);
        }
        if (msp.Name != mspId)
        {
            throw new MspConfigurationException($"the organisation definition's MSP is named '{msp.Name}', not '{mspId}'");
        }
        Msp.Create(msp);
        return new OrganizationDefinition(name, mspId, msp)
        {
            PeerEndpoints = Endpoints(json, "peerEndpoints"),
            GatewayEndpoints = Endpoints(json, "gatewayEndpoints"),
        };
    }

    private static string Text(JsonObject json, string property)
    {
        try
        {
            return json[property]?.GetValue<string>() is { Length: > 0 } value
                ? value
                : throw new MspConfigurationException($"the organisation definition has no \"{property}\"");
        }
        catch (InvalidOperationException ex)
        {
            throw new MspConfigurationException($"the organisation definition's \"{property}\" is not a string", ex);
        }
    }

    private static List<string> Endpoints(JsonObject json, string property)
    {
        if (json[property] is null)
        {
            return [];
        }
        if (json[property] is not JsonArray array)
        {
            throw new MspConfigurationException($"the organisation definition's \"{property}\" is not an array");
        }
        var endpoints = new List<string>();
        foreach (var item in array)
        {
            var endpoint = item is JsonValue value && value.TryGetValue<string>(out var s) ? s : null;
            if (endpoint is null || !endpoint.Contains(':', StringComparison.Ordinal))
            {
                throw new MspConfigurationException($"the organisation definition's \"{property}\" holds '{item}', which is not host:port");
            }
            endpoints.Add(endpoint);
        }
        return endpoints;
    }
}
