'use strict';
// Builds every request the official Fabric Gateway client signs, with the client's offline-signing API
// (getBytes/getDigest, then Gateway.newSigned*), plus one evaluate through a recording gRPC client so that
// the client's own internal signing is captured too. Prints JSON with base64 bytes on stdout.
//
// usage: node tools/gateway-requests.js <request.json>
//   request.json: { mspId, certPath, keyPath, evaluateResponse: base64 gateway.EvaluateResponse }

const grpc = require('@grpc/grpc-js');
const { readRequest, loadCredentials, connectOffline, connectRecording, b64, fromB64, run } = require('./common');

/** Signs a Signable offline with the client's own signer and rebuilds it through the gateway. */
async function signOffline(signable, signer, newSigned) {
    const unsigned = signable.getBytes();
    const digest = signable.getDigest();
    const signature = await signer(digest);
    const signed = newSigned(unsigned, signature);
    return { unsigned: b64(unsigned), digest: b64(digest), signature: b64(signature), signed: b64(signed.getBytes()), object: signed };
}

const strip = ({ object: _object, ...rest }) => rest;

async function main() {
    const request = readRequest();
    const credentials = loadCredentials(request);
    const { client, gateway } = connectOffline(credentials);
    const network = gateway.getNetwork('mychannel');
    const contract = network.getContract('basic', 'MyContract');

    const proposal = contract.newProposal('Transfer', {
        arguments: ['alice', 'bob', '10'],
        transientData: { secret: 'x' },
    });
    const signedProposal = await signOffline(proposal, credentials.signer, (b, s) => gateway.newSignedProposal(b, s));
    const reparsedProposal = gateway.newProposal(fromB64(signedProposal.signed));

    const chaincodeEvents = await signOffline(
        network.newChaincodeEventsRequest('basic', { startBlock: 5n }),
        credentials.signer,
        (b, s) => gateway.newSignedChaincodeEventsRequest(b, s),
    );
    const checkpoint = { getBlockNumber: () => 8n, getTransactionId: () => 'tx-after-this-one' };
    const chaincodeEventsCheckpoint = await signOffline(
        network.newChaincodeEventsRequest('basic', { checkpoint }),
        credentials.signer,
        (b, s) => gateway.newSignedChaincodeEventsRequest(b, s),
    );
    const blockEvents = await signOffline(
        network.newBlockEventsRequest({ startBlock: 3n }),
        credentials.signer,
        (b, s) => gateway.newSignedBlockEventsRequest(b, s),
    );
    const filteredBlockEvents = await signOffline(
        network.newFilteredBlockEventsRequest(),
        credentials.signer,
        (b, s) => gateway.newSignedFilteredBlockEventsRequest(b, s),
    );
    const privateDataEvents = await signOffline(
        network.newBlockAndPrivateDataEventsRequest({ startBlock: 7n }),
        credentials.signer,
        (b, s) => gateway.newSignedBlockAndPrivateDataEventsRequest(b, s),
    );

    // Nothing above called the server: the real grpc-js client never left IDLE.
    const connectivity = grpc.connectivityState[client.getChannel().getConnectivityState(false)];
    client.close();

    // The client's own signing path (connect({ signer, hash })): evaluate through a recording client.
    const recording = connectRecording(credentials, { '/gateway.Gateway/Evaluate': fromB64(request.evaluateResponse) });
    const evaluateResult = await recording.gateway
        .getNetwork('mychannel')
        .getContract('basic', 'MyContract')
        .evaluateTransaction('Transfer', 'alice', 'bob', '10');

    return {
        connectivity,
        proposal: {
            ...strip(signedProposal),
            transactionId: proposal.getTransactionId(),
            reparsedTransactionId: reparsedProposal.getTransactionId(),
        },
        chaincodeEvents: strip(chaincodeEvents),
        chaincodeEventsCheckpoint: strip(chaincodeEventsCheckpoint),
        blockEvents: strip(blockEvents),
        filteredBlockEvents: strip(filteredBlockEvents),
        privateDataEvents: strip(privateDataEvents),
        evaluate: {
            request: b64(recording.client.requests['/gateway.Gateway/Evaluate']),
            result: b64(evaluateResult),
        },
    };
}

run(main);
