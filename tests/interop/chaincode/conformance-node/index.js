'use strict';

// Loaded by fabric-chaincode-node (fabric-shim) in server mode: it registers these contracts.
const { ConformanceContract } = require('./conformance-contract');

module.exports.ConformanceContract = ConformanceContract;
module.exports.contracts = [ConformanceContract];
