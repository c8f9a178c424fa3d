using ZonCoin.Chaincode.Contracts;
using ZonCoin.Chaincode.Hosting;
using ZonCoin.Chaincode.Sample;

ContractSerializer.AddTypeInfoResolver(SampleJson.Default);
return await ChaincodeHost.RunAsync(args, new AssetTransferContract());
