return await ZonCoin.Orderer.Hosting.OrdererProgram.Main(args).ConfigureAwait(false);
