using System.Text;
using System.Text.Json;
using ZonCoin.Chaincode.Contracts;
using ZonCoin.Chaincode.Sample;

namespace ZonCoin.Chaincode.Tests.Contracts;

public sealed class ContractSerializerTests
{
    [Fact]
    public void Type_info_resolvers_cannot_be_added_once_the_options_served_a_transaction()
    {
        var payload = ContractSerializer.ToPayload(new Caller("Org1MSP", "x509::CN=user1", null));

        Assert.Equal("""{"MspId":"Org1MSP","Id":"x509::CN=user1","Role":null}""", Encoding.UTF8.GetString(payload));
        var error = Assert.Throws<InvalidOperationException>(() => ContractSerializer.AddTypeInfoResolver(SampleJson.Default));
        Assert.Contains("before the chaincode serves transactions", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_sample_contract_s_generated_JSON_writes_what_reflection_writes()
    {
        var asset = new Asset { ID = "asset1", Color = "blue", Size = 5, Owner = "Tomoko", AppraisedValue = 300 };

        var generated = JsonSerializer.SerializeToUtf8Bytes(asset, SampleJson.Default.Asset);

        Assert.Equal(ContractSerializer.ToPayload(asset), generated);
        Assert.Equal(asset, JsonSerializer.Deserialize(generated, SampleJson.Default.Asset));
    }
}
