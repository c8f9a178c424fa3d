using ZonCoin.Chaincode.Hosting;
using ZonCoin.Chaincode.SupplyChain;

return await ChaincodeHost.RunAsync(args, new SupplyChainContract());
