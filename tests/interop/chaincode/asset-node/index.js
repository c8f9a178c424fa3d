'use strict';

// Loaded by fabric-chaincode-node (fabric-shim) in server mode: it registers these contracts.
const { AssetContract } = require('./asset-contract');

module.exports.AssetContract = AssetContract;
module.exports.contracts = [AssetContract];
