'use strict';

// A plain fabric-contract-api contract, written the way Fabric's samples are: no ZonCoin-specific code.
const { Contract } = require('fabric-contract-api');
const { KeyEndorsementPolicy } = require('fabric-shim');

class AssetContract extends Contract {
    constructor() {
        super('AssetContract');
    }

    async CreateAsset(ctx, id, color, owner, value) {
        if (await this.AssetExists(ctx, id)) {
            throw new Error(`The asset ${id} already exists`);
        }
        const asset = { ID: id, Color: color, Owner: owner, Value: Number(value) };
        await ctx.stub.putState(id, Buffer.from(JSON.stringify(asset)));
        const index = ctx.stub.createCompositeKey('owner~id', [owner, id]);
        await ctx.stub.putState(index, Buffer.from('\u0000'));
        ctx.stub.setEvent('AssetCreated', Buffer.from(JSON.stringify(asset)));
        return JSON.stringify(asset);
    }

    async ReadAsset(ctx, id) {
        const bytes = await ctx.stub.getState(id);
        if (!bytes || bytes.length === 0) {
            throw new Error(`The asset ${id} does not exist`);
        }
        return bytes.toString();
    }

    async AssetExists(ctx, id) {
        const bytes = await ctx.stub.getState(id);
        return !!bytes && bytes.length > 0;
    }

    async TransferAsset(ctx, id, newOwner) {
        const asset = JSON.parse(await this.ReadAsset(ctx, id));
        const oldOwner = asset.Owner;
        asset.Owner = newOwner;
        await ctx.stub.putState(id, Buffer.from(JSON.stringify(asset)));
        await ctx.stub.deleteState(ctx.stub.createCompositeKey('owner~id', [oldOwner, id]));
        await ctx.stub.putState(ctx.stub.createCompositeKey('owner~id', [newOwner, id]), Buffer.from('\u0000'));
        return oldOwner;
    }

    async DeleteAsset(ctx, id) {
        const asset = JSON.parse(await this.ReadAsset(ctx, id));
        await ctx.stub.deleteState(id);
        await ctx.stub.deleteState(ctx.stub.createCompositeKey('owner~id', [asset.Owner, id]));
    }

    async GetAllAssets(ctx) {
        const results = [];
        const iterator = await ctx.stub.getStateByRange('', '');
        for (let result = await iterator.next(); !result.done; result = await iterator.next()) {
            results.push(JSON.parse(result.value.value.toString('utf8')));
        }
        await iterator.close();
        return JSON.stringify(results);
    }

    async GetAssetsPage(ctx, pageSize, bookmark) {
        const { iterator, metadata } = await ctx.stub.getStateByRangeWithPagination('', '', parseInt(pageSize, 10), bookmark);
        const keys = [];
        for (let result = await iterator.next(); !result.done; result = await iterator.next()) {
            keys.push(result.value.key);
        }
        await iterator.close();
        return JSON.stringify({ keys, fetched: metadata.fetchedRecordsCount, bookmark: metadata.bookmark });
    }

    // Rich queries, as fabric-samples' asset-transfer-ledger-queries does them (needs CouchDB on Fabric).
    async QueryAssets(ctx, queryString) {
        const records = [];
        const iterator = await ctx.stub.getQueryResult(queryString);
        for (let result = await iterator.next(); !result.done; result = await iterator.next()) {
            records.push({ key: result.value.key, value: result.value.value.toString('utf8') });
        }
        await iterator.close();
        return JSON.stringify(records);
    }

    async QueryAssetsWithPagination(ctx, queryString, pageSize, bookmark) {
        const { iterator, metadata } = await ctx.stub.getQueryResultWithPagination(queryString, parseInt(pageSize, 10), bookmark);
        const records = [];
        for (let result = await iterator.next(); !result.done; result = await iterator.next()) {
            records.push({ key: result.value.key, value: result.value.value.toString('utf8') });
        }
        await iterator.close();
        return JSON.stringify({ records, fetchedRecordsCount: metadata.fetchedRecordsCount, bookmark: metadata.bookmark });
    }

    async GetAssetsByOwner(ctx, owner) {
        const ids = [];
        const iterator = await ctx.stub.getStateByPartialCompositeKey('owner~id', [owner]);
        for (let result = await iterator.next(); !result.done; result = await iterator.next()) {
            ids.push(ctx.stub.splitCompositeKey(result.value.key).attributes[1]);
        }
        await iterator.close();
        return JSON.stringify(ids);
    }

    async GetAssetHistory(ctx, id) {
        const history = [];
        const iterator = await ctx.stub.getHistoryForKey(id);
        for (let result = await iterator.next(); !result.done; result = await iterator.next()) {
            history.push({ txId: result.value.txId, isDelete: result.value.isDelete });
        }
        await iterator.close();
        return JSON.stringify(history);
    }

    // Key-level endorsement, as Fabric's asset-transfer-sbe sample: from then on only the named orgs' peers endorse
    // changes to the asset (mspIds is a comma-separated list).
    async SetAssetEndorsers(ctx, id, mspIds) {
        await this.ReadAsset(ctx, id);
        const policy = new KeyEndorsementPolicy();
        policy.addOrgs('PEER', ...mspIds.split(','));
        await ctx.stub.setStateValidationParameter(id, policy.getPolicy());
    }

    async GetAssetEndorsers(ctx, id) {
        const parameter = await ctx.stub.getStateValidationParameter(id);
        return JSON.stringify(parameter && parameter.length > 0 ? new KeyEndorsementPolicy(parameter).listOrgs() : []);
    }

    // Writes the asset's own key only.
    async UpdateAssetValue(ctx, id, value) {
        const asset = JSON.parse(await this.ReadAsset(ctx, id));
        asset.Value = Number(value);
        await ctx.stub.putState(id, Buffer.from(JSON.stringify(asset)));
    }

    async WhoAmI(ctx) {
        const identity = ctx.clientIdentity;
        return JSON.stringify({
            mspId: identity.getMSPID(),
            id: identity.getID(),
            role: identity.getAttributeValue('role'),
        });
    }
}

module.exports = { AssetContract };
