'use strict';
// The reverse direction: feeds a prepared transaction and gateway responses built by ZonCoin's C# code to the
// official Fabric Gateway client, and reports what the client reads from them and what it signs.
//
// usage: node tools/gateway-transaction.js <request.json>
//   request.json: { mspId, certPath, keyPath,
//                   proposedTransaction: base64 signed gateway.ProposedTransaction (from gateway-requests.js),
//                   preparedTransaction: base64 gateway.PreparedTransaction,
//                   endorseResponse: base64 gateway.EndorseResponse,
//                   commitStatusResponse: base64 gateway.CommitStatusResponse }

const { readRequest, loadCredentials, connectOffline, connectRecording, b64, fromB64, run } = require('./common');

async function main() {
    const request = readRequest();
    const credentials = loadCredentials(request);

    // Offline signing of a prepared transaction: Gateway.newTransaction(bytes), sign the digest,
    // Gateway.newSignedTransaction(bytes, signature).
    const offline = connectOffline(credentials);
    const preparedBytes = fromB64(request.preparedTransaction);
    const transaction = offline.gateway.newTransaction(preparedBytes);
    const digest = transaction.getDigest();
    const signature = await credentials.signer(digest);
    const signedTransaction = offline.gateway.newSignedTransaction(transaction.getBytes(), signature);
    offline.client.close();

    // The online flow against canned responses: endorse -> submit -> commit status.
    const recording = connectRecording(credentials, {
        '/gateway.Gateway/Endorse': fromB64(request.endorseResponse),
        '/gateway.Gateway/Submit': new Uint8Array(0),
        '/gateway.Gateway/CommitStatus': fromB64(request.commitStatusResponse),
    });
    const proposal = recording.gateway.newProposal(fromB64(request.proposedTransaction));
    const endorsed = await proposal.endorse();
    const submitted = await endorsed.submit();
    const commitUnsigned = submitted.getBytes();
    const commitDigest = submitted.getDigest();
    const commitSignature = await credentials.signer(commitDigest);
    const signedCommit = recording.gateway.newSignedCommit(commitUnsigned, commitSignature);
    const status = await submitted.getStatus();
    const requests = recording.client.requests;

    return {
        offline: {
            transactionId: transaction.getTransactionId(),
            result: b64(transaction.getResult()),
            digest: b64(digest),
            signature: b64(signature),
            signed: b64(signedTransaction.getBytes()),
            signedResult: b64(signedTransaction.getResult()),
        },
        online: {
            endorseRequest: b64(requests['/gateway.Gateway/Endorse']),
            transactionId: endorsed.getTransactionId(),
            result: b64(endorsed.getResult()),
            submittedResult: b64(submitted.getResult()),
            submitRequest: b64(requests['/gateway.Gateway/Submit']),
            commitStatusRequest: b64(requests['/gateway.Gateway/CommitStatus']),
            commitUnsigned: b64(commitUnsigned),
            commitDigest: b64(commitDigest),
            commitSigned: b64(signedCommit.getBytes()),
            commitTransactionId: signedCommit.getTransactionId(),
            status,
        },
    };
}

run(main);
