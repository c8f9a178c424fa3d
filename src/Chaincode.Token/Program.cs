using ZonCoin.Chaincode.Hosting;
using ZonCoin.Chaincode.Token;

return await ChaincodeHost.RunAsync(args, new ZonCoinContract());
