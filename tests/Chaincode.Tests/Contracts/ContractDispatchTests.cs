using System.Text;
using System.Text.Json;
using ZonCoin.Chaincode.Contracts;
using ZonCoin.Chaincode.Sample;
using ZonCoin.Chaincode.Shim;
using ZonCoin.Chaincode.Tests.Support;

namespace ZonCoin.Chaincode.Tests.Contracts;

public sealed class ContractDispatchTests
{
    private readonly ProbeContract _probe = new();
    private readonly ContractChaincode _chaincode;

    public ContractDispatchTests()
    {
        _chaincode = new ContractChaincode(_probe, new AssetTransferContract());
    }

    private async Task<ChaincodeResponse> Call(params string[] args) => await _chaincode.InvokeAsync(InMemoryStub.Standalone(args), CancellationToken.None);

    private static string Text(ChaincodeResponse response) => Encoding.UTF8.GetString(response.Payload.Span);

    [Fact]
    public async Task Plain_name_goes_to_the_default_contract_and_qualified_name_to_the_named_one()
    {
        Assert.Equal("ProbeContract", _chaincode.DefaultContract);
        var plain = await Call("Echo", "hello");
        var qualified = await Call("ProbeContract:Echo", "hi");
        Assert.Equal((200, "hello"), (plain.Status, Text(plain)));
        Assert.Equal((200, "hi"), (qualified.Status, Text(qualified)));

        var stub = InMemoryStub.Standalone("AssetTransfer:AssetExists", "a1");
        var other = await _chaincode.InvokeAsync(stub, CancellationToken.None);
        Assert.Equal((200, "false"), (other.Status, Text(other)));
    }

    [Fact]
    public async Task Arguments_are_converted_from_strings_and_json()
    {
        Assert.Equal("42", Text(await Call("Add", "40", "2")));
        Assert.Equal("5.0", Text(await Call("Scale", "2.5", "2")));
        Assert.Equal("false", Text(await Call("Not", "true")));
        Assert.Equal("true", Text(await Call("Not", "False")));
        Assert.Equal("Dark", Text(await Call("Paint", "Dark")));
        var grown = await Call("Grow", """{"Name":"w","Count":1,"Tags":["a","b"]}""");
        Assert.Equal("""{"Name":"w","Count":2,"Tags":["a","b"]}""", Text(grown));
        var raw = await _chaincode.InvokeAsync(InMemoryStub.Standalone([Encoding.UTF8.GetBytes("Raw"), new byte[] { 0, 1, 255 }]), CancellationToken.None);
        Assert.Equal(new byte[] { 255, 1, 0 }, raw.Payload.ToArray());
    }

    [Fact]
    public async Task Results_are_serialised_as_fabric_contract_api_does()
    {
        Assert.Equal((200, ""), (await Call("Nothing")) is var n ? (n.Status, Text(n)) : default);
        Assert.True((await Call("Nil")).Payload.IsEmpty);
        Assert.Equal("8", Text(await Call("Later", "4")));
        Assert.Equal("now!", Text(await Call("Soon", "now")));
        Assert.Equal("renamed", Text(await Call("Renamed")));
    }

    [Fact]
    public async Task Hooks_run_around_the_transaction()
    {
        await Call("Echo", "x");
        Assert.Equal(["before:Echo", "after:x"], _probe.Calls);
    }

    [Fact]
    public async Task Errors_become_500_responses_with_fabric_messages()
    {
        var thrown = await Call("Fail", "boom");
        Assert.Equal((500, "boom"), (thrown.Status, thrown.Message));
        Assert.True(thrown.Payload.IsEmpty);

        var unknown = await Call("Nope");
        Assert.Equal((500, "You've asked to invoke a function that does not exist: Nope"), (unknown.Status, unknown.Message));

        var notTransaction = await Call("Helper");
        Assert.Equal("You've asked to invoke a function that does not exist: Helper", notTransaction.Message);

        var unknownContract = await Call("Missing:Echo", "x");
        Assert.Equal((500, "Contract name is not known: Missing"), (unknownContract.Status, unknownContract.Message));

        var count = await Call("Add", "1");
        Assert.Equal((500, "Expected 2 parameters, but 1 have been supplied"), (count.Status, count.Message));

        var format = await Call("Add", "one", "2");
        Assert.Equal(500, format.Status);
        Assert.StartsWith("Argument 'a' with value 'one' is not a valid number (Int32)", format.Message);

        var json = await Call("Grow", "{not json");
        Assert.Equal(500, json.Status);
        Assert.Contains("Argument 'widget'", json.Message);
    }

    [Fact]
    public async Task Sample_contract_runs_against_an_in_memory_stub()
    {
        var stub = InMemoryStub.Standalone("CreateAsset", "a1", "blue", "5", "alice", "300");
        var created = await new ContractChaincode(new AssetTransferContract()).InvokeAsync(stub, CancellationToken.None);
        Assert.Equal(200, created.Status);
        Assert.Equal("""{"ID":"a1","Color":"blue","Size":5,"Owner":"alice","AppraisedValue":300}""", Text(created));
        Assert.Equal("CreateAsset", stub.ChaincodeEvent!.EventName);
        Assert.Equal(["\u0000owner~asset\u0000alice\u0000a1\u0000", "a1"], stub.Ledger.State.Keys);
    }

    [Fact]
    public async Task GetMetadata_describes_contracts_and_transactions()
    {
        var response = await Call("org.hyperledger.fabric:GetMetadata");
        Assert.Equal(200, response.Status);
        using var json = JsonDocument.Parse(response.Payload);
        var root = json.RootElement;
        Assert.Equal("https://hyperledger.github.io/fabric-chaincode-node/main/api/contract-schema.json", root.GetProperty("$schema").GetString());
        var contracts = root.GetProperty("contracts");
        Assert.Equal(["ProbeContract", "AssetTransfer"], contracts.EnumerateObject().Select(p => p.Name));
        Assert.True(contracts.GetProperty("ProbeContract").GetProperty("contractInstance").GetProperty("default").GetBoolean());
        Assert.False(contracts.GetProperty("AssetTransfer").GetProperty("contractInstance").GetProperty("default").GetBoolean());
        Assert.Equal("1.0.0", contracts.GetProperty("AssetTransfer").GetProperty("info").GetProperty("version").GetString());

        var transactions = contracts.GetProperty("AssetTransfer").GetProperty("transactions").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        Assert.Contains("CreateAsset", transactions.Keys);
        Assert.DoesNotContain("BeforeTransactionAsync", transactions.Keys);
        Assert.Equal(["SUBMIT", "submitTx"], transactions["CreateAsset"].GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(["EVALUATE"], transactions["ReadAsset"].GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        var parameters = transactions["CreateAsset"].GetProperty("parameters").EnumerateArray().ToList();
        Assert.Equal(["id", "color", "size", "owner", "appraisedValue"], parameters.Select(p => p.GetProperty("name").GetString()));
        Assert.Equal("integer", parameters[2].GetProperty("schema").GetProperty("type").GetString());
        Assert.Equal("#/components/schemas/Asset", transactions["CreateAsset"].GetProperty("returns").GetProperty("$ref").GetString());
        Assert.Equal("array", transactions["GetAllAssets"].GetProperty("returns").GetProperty("type").GetString());
        Assert.False(transactions["DeleteAsset"].TryGetProperty("returns", out _));

        var asset = root.GetProperty("components").GetProperty("schemas").GetProperty("Asset");
        Assert.Equal(["ID", "Color", "Size", "Owner", "AppraisedValue"], asset.GetProperty("properties").EnumerateObject().Select(p => p.Name));

        var probe = contracts.GetProperty("ProbeContract").GetProperty("transactions").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        Assert.Contains("Renamed", probe.Keys);
        Assert.DoesNotContain("Helper", probe.Keys);
        Assert.Empty(probe["TxInfo"].GetProperty("parameters").EnumerateArray());
    }

    [Fact]
    public void Contract_names_must_be_unique_and_not_reserved()
    {
        Assert.Throws<ArgumentException>(() => new ContractChaincode(new ProbeContract(), new ProbeContract()));
        Assert.Throws<ArgumentException>(() => new ContractChaincode(Array.Empty<Contract>()));
    }
}
