'use strict';

// A plain fabric-contract-api contract: each transaction reports, as JSON, what the shim's stub and client identity
// APIs return, so a test can compare a ZonCoin peer's answers with Fabric v2.5's. No ZonCoin-specific code.
const { Contract } = require('fabric-contract-api');

async function collect(iterator, map) {
    const results = [];
    for (let result = await iterator.next(); !result.done; result = await iterator.next()) {
        results.push(map(result.value));
    }
    await iterator.close();
    return results;
}

async function errorOf(action) {
    try {
        await action();
        return null;
    } catch (err) {
        return err.message;
    }
}

class ConformanceContract extends Contract {
    constructor() {
        super('ConformanceContract');
    }

    // Transaction header, arguments, client identity and transient data as the stub and ClientIdentity give them.
    async Describe(ctx) {
        const timestamp = ctx.stub.getTxTimestamp();
        const { fcn, params } = ctx.stub.getFunctionAndParameters();
        const transient = {};
        for (const [key, value] of ctx.stub.getTransient()) {
            transient[key] = Buffer.from(value).toString('utf8');
        }
        return JSON.stringify({
            txId: ctx.stub.getTxID(),
            channelId: ctx.stub.getChannelID(),
            timestamp: { seconds: timestamp.seconds.toNumber(), nanos: timestamp.nanos },
            dateMillis: ctx.stub.getDateTimestamp().getTime(),
            fcn,
            params,
            id: ctx.clientIdentity.getID(),
            mspId: ctx.clientIdentity.getMSPID(),
            attribute: ctx.clientIdentity.getAttributeValue('x'),
            transient,
        });
    }

    async Put(ctx, key, value) {
        await ctx.stub.putState(key, Buffer.from(value));
        return key;
    }

    async PutEmpty(ctx, key) {
        await ctx.stub.putState(key, Buffer.alloc(0));
    }

    async Delete(ctx, key) {
        await ctx.stub.deleteState(key);
    }

    async PutComposite(ctx, objectType, first, second) {
        const attributes = [first, second];
        const key = ctx.stub.createCompositeKey(objectType, attributes);
        await ctx.stub.putState(key, Buffer.from(attributes.join('/')));
        return key;
    }

    async Get(ctx, key) {
        const value = await ctx.stub.getState(key);
        return JSON.stringify({ isBuffer: Buffer.isBuffer(value), length: value.length, value: value.toString('utf8') });
    }

    async History(ctx, key) {
        const entries = await collect(await ctx.stub.getHistoryForKey(key), (entry) => ({
            txId: entry.txId,
            isDelete: entry.isDelete,
            valueLength: entry.value.length,
            value: Buffer.from(entry.value).toString('utf8'),
            timestamp: { seconds: Number(entry.timestamp.seconds), nanos: entry.timestamp.nanos },
        }));
        return JSON.stringify(entries);
    }

    async Range(ctx, startKey, endKey) {
        return JSON.stringify(await collect(await ctx.stub.getStateByRange(startKey, endKey), (kv) => kv.key));
    }

    async RangePage(ctx, startKey, endKey, pageSize, bookmark) {
        const { iterator, metadata } = await ctx.stub.getStateByRangeWithPagination(startKey, endKey, parseInt(pageSize, 10), bookmark);
        const keys = await collect(iterator, (kv) => kv.key);
        return JSON.stringify({ keys, fetchedRecordsCount: metadata.fetchedRecordsCount, bookmark: metadata.bookmark });
    }

    async PartialCompositePage(ctx, objectType, attribute, pageSize, bookmark) {
        const { iterator, metadata } = await ctx.stub.getStateByPartialCompositeKeyWithPagination(objectType, [attribute], parseInt(pageSize, 10), bookmark);
        const keys = await collect(iterator, (kv) => ctx.stub.splitCompositeKey(kv.key).attributes);
        return JSON.stringify({ keys, fetchedRecordsCount: metadata.fetchedRecordsCount, bookmark: metadata.bookmark });
    }

    // A write after a paginated query, and a paginated query after a write: what the shim reports for each.
    async PaginatedQueryAndWrite(ctx, key) {
        const afterQuery = await errorOf(async () => {
            const { iterator } = await ctx.stub.getStateByRangeWithPagination('', '', 1, '');
            await iterator.close();
            await ctx.stub.putState(key, Buffer.from('x'));
        });
        return JSON.stringify({ afterQuery });
    }

    async WriteAndPaginatedQuery(ctx, key) {
        await ctx.stub.putState(key, Buffer.from('x'));
        const afterWrite = await errorOf(async () => {
            const { iterator } = await ctx.stub.getStateByRangeWithPagination('', '', 1, '');
            await iterator.close();
        });
        return JSON.stringify({ afterWrite });
    }

    async TwoEvents(ctx, first, second) {
        ctx.stub.setEvent(first, Buffer.from(first));
        ctx.stub.setEvent(second, Buffer.from(second));
    }

    // Calls another chaincode with the arguments of a JSON array; reports its response, or the error the shim raised.
    async Call(ctx, chaincodeName, channel, argsJson) {
        try {
            const response = await ctx.stub.invokeChaincode(chaincodeName, JSON.parse(argsJson), channel);
            return JSON.stringify({ status: response.status, message: response.message, payload: Buffer.from(response.payload).toString('utf8') });
        } catch (err) {
            return JSON.stringify({ error: err.message });
        }
    }

    async Fail(ctx, message) {
        throw new Error(message);
    }
}

module.exports.ConformanceContract = ConformanceContract;
