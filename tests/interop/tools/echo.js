'use strict';
// Shared by the @grpc/grpc-js interop tools (grpc-client.js, grpc-server.js): the Echo test service loaded from
// protos/echo.proto with @grpc/proto-loader, the message limits both sides use, and google.rpc.Status details
// (grpc-status-details-bin) holding a gateway.ErrorDetail, built and read with @hyperledger/fabric-protos.

const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const { gateway, google } = require('@hyperledger/fabric-protos');
const { Any } = require('google-protobuf/google/protobuf/any_pb');

const PROTO_PATH = path.join(__dirname, '..', 'protos', 'echo.proto');
const SERVICE_PATH = '/zoncoin.test.Echo';
const MAX_MESSAGE_SIZE = 100 * 1024 * 1024;
const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
const ERROR_DETAIL_TYPE = 'gateway.ErrorDetail';
const TYPE_URL_PREFIX = 'type.googleapis.com/';

/** Message limits for clients and servers: 100 MB both ways, like the C# transport's defaults. */
const LIMITS = {
    'grpc.max_receive_message_length': MAX_MESSAGE_SIZE,
    'grpc.max_send_message_length': MAX_MESSAGE_SIZE,
};

/** The zoncoin.test.Echo service constructor (client) whose `.service` is the definition (server). */
function loadEcho() {
    const definition = protoLoader.loadSync(PROTO_PATH, {
        keepCase: true, // field names as in echo.proto: delay_ms, fail_code, total_bytes, ...
        longs: Number,
        enums: String,
        defaults: true,
    });
    return grpc.loadPackageDefinition(definition).zoncoin.test.Echo;
}

/** A serialized google.rpc.Status with one Any(gateway.ErrorDetail), the way Fabric's gateway reports errors. */
function encodeStatusDetails(code, message, errorDetail) {
    const detail = new gateway.ErrorDetail();
    detail.setAddress(errorDetail.address);
    detail.setMspId(errorDetail.mspId);
    detail.setMessage(errorDetail.message);
    const any = new Any();
    any.pack(detail.serializeBinary(), ERROR_DETAIL_TYPE, TYPE_URL_PREFIX);
    const status = new google.rpc.Status();
    status.setCode(code);
    status.setMessage(message);
    status.addDetails(any);
    return Buffer.from(status.serializeBinary());
}

/** Reads a grpc-status-details-bin value: the status and every detail, ErrorDetails decoded. */
function decodeStatusDetails(bytes) {
    const status = google.rpc.Status.deserializeBinary(new Uint8Array(bytes));
    return {
        code: status.getCode(),
        message: status.getMessage(),
        details: status.getDetailsList().map((any) => {
            const typeUrl = any.getTypeUrl();
            const detail = any.unpack(gateway.ErrorDetail.deserializeBinary, ERROR_DETAIL_TYPE);
            return {
                typeUrl,
                errorDetail: detail && {
                    address: detail.getAddress(),
                    mspId: detail.getMspId(),
                    message: detail.getMessage(),
                },
            };
        }),
    };
}

module.exports = {
    LIMITS,
    SERVICE_PATH,
    STATUS_DETAILS_KEY,
    TYPE_URL_PREFIX,
    ERROR_DETAIL_TYPE,
    loadEcho,
    encodeStatusDetails,
    decodeStatusDetails,
};
