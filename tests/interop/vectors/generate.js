#!/usr/bin/env node
'use strict';

// Regenerates fabric-protos-vectors.json: messages encoded by the official @hyperledger/fabric-protos
// (google-protobuf) classes from the fixed values in values.js. Deterministic; commit the output.

const fs = require('node:fs');
const path = require('node:path');
const { buildVectors, renderJson } = require('./build');

const target = path.join(__dirname, 'fabric-protos-vectors.json');
const vectors = buildVectors();
fs.writeFileSync(target, renderJson(vectors));
console.log(`wrote ${Object.keys(vectors).length} vectors to ${path.relative(process.cwd(), target)}`);
