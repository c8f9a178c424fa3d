using ZonCoin.Chaincode.Hosting;
using ZonCoin.Chaincode.Sample;

return await ChaincodeHost.RunAsync(args, new AssetTransferContract());
