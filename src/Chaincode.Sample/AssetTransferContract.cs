using System.Text;
using System.Text.Json;
using ZonCoin.Chaincode.Contracts;

namespace ZonCoin.Chaincode.Sample;

/// <summary>
/// Asset transfer: create, read, update, delete and transfer assets; list them (all, by page, by owner through the
/// <c>owner~asset</c> composite-key index) and read their history. Writes emit chaincode events.
/// </summary>
public sealed class AssetTransferContract : Contract
{
    /// <summary>The composite-key object type of the owner index.</summary>
    public const string OwnerIndex = "owner~asset";

    /// <summary>The attribute a caller needs for <see cref="AppraiseAsset"/>.</summary>
    public const string AppraiserRole = "appraiser";

    private static readonly byte[] IndexValue = [0];

    /// <summary>Creates the contract, named <c>AssetTransfer</c>.</summary>
    public AssetTransferContract()
        : base("AssetTransfer")
    {
    }

    /// <inheritdoc/>
    public override ContractInfo Info => new("Asset transfer", "1.0.0") { Description = "The ZonCoin C# sample contract" };

    /// <summary>Creates an asset; fails when the id is taken. Emits <c>CreateAsset</c> with the asset as JSON.</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="id">The new asset's id.</param>
    /// <param name="color">Its colour.</param>
    /// <param name="size">Its size.</param>
    /// <param name="owner">Its owner.</param>
    /// <param name="appraisedValue">Its value.</param>
    public async Task<Asset> CreateAsset(Context ctx, string id, string color, int size, string owner, int appraisedValue)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        if (await AssetExists(ctx, id).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"The asset {id} already exists");
        }
        var asset = new Asset { ID = id, Color = color, Size = size, Owner = owner, AppraisedValue = appraisedValue };
        await PutAsync(ctx, asset).ConfigureAwait(false);
        await ctx.Stub.PutStateAsync(ctx.Stub.CreateCompositeKey(OwnerIndex, owner, id), IndexValue, ctx.CancellationToken).ConfigureAwait(false);
        ctx.Stub.SetEvent("CreateAsset", JsonSerializer.SerializeToUtf8Bytes(asset, SampleJson.Default.Asset));
        return asset;
    }

    /// <summary>Reads an asset; fails when it does not exist.</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="id">The asset id.</param>
    [Evaluate]
    public async Task<Asset> ReadAsset(Context ctx, string id)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var json = await ctx.Stub.GetStateAsync(id, ctx.CancellationToken).ConfigureAwait(false);
        if (json.IsEmpty)
        {
            throw new InvalidOperationException($"The asset {id} does not exist");
        }
        return JsonSerializer.Deserialize(json.Span, SampleJson.Default.Asset)!;
    }

    /// <summary>Replaces an asset's fields (the owner through <see cref="TransferAsset"/> only).</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="id">The asset id.</param>
    /// <param name="color">The new colour.</param>
    /// <param name="size">The new size.</param>
    /// <param name="appraisedValue">The new value.</param>
    public async Task<Asset> UpdateAsset(Context ctx, string id, string color, int size, int appraisedValue)
    {
        var asset = await ReadAsset(ctx, id).ConfigureAwait(false) with { Color = color, Size = size, AppraisedValue = appraisedValue };
        await PutAsync(ctx, asset).ConfigureAwait(false);
        return asset;
    }

    /// <summary>Deletes an asset and its index entry; fails when it does not exist.</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="id">The asset id.</param>
    public async Task DeleteAsset(Context ctx, string id)
    {
        var asset = await ReadAsset(ctx, id).ConfigureAwait(false);
        await ctx.Stub.DeleteStateAsync(id, ctx.CancellationToken).ConfigureAwait(false);
        await ctx.Stub.DeleteStateAsync(ctx.Stub.CreateCompositeKey(OwnerIndex, asset.Owner, id), ctx.CancellationToken).ConfigureAwait(false);
    }

    /// <summary>True when the asset exists.</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="id">The asset id.</param>
    [Evaluate]
    public async Task<bool> AssetExists(Context ctx, string id)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        return !(await ctx.Stub.GetStateAsync(id, ctx.CancellationToken).ConfigureAwait(false)).IsEmpty;
    }

    /// <summary>Gives an asset to a new owner and returns the old owner. Emits <c>TransferAsset</c>.</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="id">The asset id.</param>
    /// <param name="newOwner">The new owner.</param>
    public async Task<string> TransferAsset(Context ctx, string id, string newOwner)
    {
        var asset = await ReadAsset(ctx, id).ConfigureAwait(false);
        await PutAsync(ctx, asset with { Owner = newOwner }).ConfigureAwait(false);
        await ctx.Stub.DeleteStateAsync(ctx.Stub.CreateCompositeKey(OwnerIndex, asset.Owner, id), ctx.CancellationToken).ConfigureAwait(false);
        await ctx.Stub.PutStateAsync(ctx.Stub.CreateCompositeKey(OwnerIndex, newOwner, id), IndexValue, ctx.CancellationToken).ConfigureAwait(false);
        ctx.Stub.SetEvent("TransferAsset", JsonSerializer.SerializeToUtf8Bytes(new AssetTransferred(id, asset.Owner, newOwner), SampleJson.Default.AssetTransferred));
        return asset.Owner;
    }

    /// <summary>
    /// Writes a fresh random stamp for an asset: deliberately nondeterministic, so two endorsers never agree on the
    /// result. It shows how a gateway catches such a contract (its endorsements do not match); never write one.
    /// </summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="id">The asset id.</param>
    public async Task<string> StampAsset(Context ctx, string id)
    {
        var stamp = Guid.NewGuid().ToString("N");
        await ctx.Stub.PutStateAsync($"stamp~{id}", System.Text.Encoding.UTF8.GetBytes(stamp), ctx.CancellationToken).ConfigureAwait(false);
        return stamp;
    }

    /// <summary>Sets an asset's value; only callers whose certificate has the attribute <c>role=appraiser</c> may.</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="id">The asset id.</param>
    /// <param name="appraisedValue">The new value.</param>
    public async Task<Asset> AppraiseAsset(Context ctx, string id, int appraisedValue)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        if (!ctx.ClientIdentity.AssertAttributeValue("role", AppraiserRole))
        {
            throw new UnauthorizedAccessException($"{ctx.ClientIdentity.Id} of {ctx.ClientIdentity.MspId} is not an appraiser");
        }
        var asset = await ReadAsset(ctx, id).ConfigureAwait(false) with { AppraisedValue = appraisedValue };
        await PutAsync(ctx, asset).ConfigureAwait(false);
        return asset;
    }

    /// <summary>Every asset, in key order.</summary>
    /// <param name="ctx">The transaction context.</param>
    [Evaluate]
    public async Task<List<Asset>> GetAllAssets(Context ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var assets = new List<Asset>();
        await foreach (var kv in ctx.Stub.GetStateByRange("", "").WithCancellation(ctx.CancellationToken).ConfigureAwait(false))
        {
            assets.Add(JsonSerializer.Deserialize(kv.Value.Span, SampleJson.Default.Asset)!);
        }
        return assets;
    }

    /// <summary>One page of assets, in key order.</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="pageSize">The most assets to return.</param>
    /// <param name="bookmark">The previous page's bookmark, or empty for the first page.</param>
    [Evaluate]
    public async Task<AssetPage> GetAssetsPage(Context ctx, int pageSize, string bookmark)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var page = await ctx.Stub.GetStateByRangeWithPaginationAsync("", "", pageSize, bookmark, ctx.CancellationToken).ConfigureAwait(false);
        return new AssetPage([.. page.Results.Select(kv => JsonSerializer.Deserialize(kv.Value.Span, SampleJson.Default.Asset)!)], page.FetchedRecordsCount, page.Bookmark);
    }

    /// <summary>
    /// A rich query (CouchDB selector JSON, e.g. <c>{"selector":{"Owner":"Tom"}}</c>) over the assets: their keys and the
    /// records exactly as the peer returns them. Needs a peer on the PostgreSQL state database.
    /// </summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="queryString">The query.</param>
    [Evaluate]
    public async Task<List<QueryRecord>> QueryAssets(Context ctx, string queryString)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var records = new List<QueryRecord>();
        await foreach (var kv in ctx.Stub.GetQueryResult(queryString).WithCancellation(ctx.CancellationToken).ConfigureAwait(false))
        {
            records.Add(new QueryRecord(kv.Key, Encoding.UTF8.GetString(kv.Value.Span)));
        }
        return records;
    }

    /// <summary>One page of a rich query over the assets, with the peer's bookmark for the next page.</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="queryString">The query.</param>
    /// <param name="pageSize">The most records to return.</param>
    /// <param name="bookmark">The previous page's bookmark, or empty for the first page.</param>
    [Evaluate]
    public async Task<QueryRecordPage> QueryAssetsWithPagination(Context ctx, string queryString, int pageSize, string bookmark)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var page = await ctx.Stub.GetQueryResultWithPaginationAsync(queryString, pageSize, bookmark, ctx.CancellationToken).ConfigureAwait(false);
        return new QueryRecordPage([.. page.Results.Select(kv => new QueryRecord(kv.Key, Encoding.UTF8.GetString(kv.Value.Span)))], page.FetchedRecordsCount, page.Bookmark);
    }

    /// <summary>The ids of an owner's assets, through the <c>owner~asset</c> index.</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="owner">The owner.</param>
    [Evaluate]
    public async Task<List<string>> GetAssetsByOwner(Context ctx, string owner)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var ids = new List<string>();
        await foreach (var kv in ctx.Stub.GetStateByPartialCompositeKey(OwnerIndex, owner).WithCancellation(ctx.CancellationToken).ConfigureAwait(false))
        {
            ids.Add(ctx.Stub.SplitCompositeKey(kv.Key).Attributes[1]);
        }
        return ids;
    }

    /// <summary>Every committed change of an asset, newest first.</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="id">The asset id.</param>
    [Evaluate]
    public async Task<List<AssetHistoryEntry>> GetAssetHistory(Context ctx, string id)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var history = new List<AssetHistoryEntry>();
        await foreach (var modification in ctx.Stub.GetHistoryForKey(id).WithCancellation(ctx.CancellationToken).ConfigureAwait(false))
        {
            history.Add(new AssetHistoryEntry(modification.TxId, modification.Timestamp, modification.IsDelete,
                modification.IsDelete ? null : JsonSerializer.Deserialize(modification.Value.Span, SampleJson.Default.Asset)));
        }
        return history;
    }

    /// <summary>The caller's MSP ID, id and <c>role</c> attribute.</summary>
    /// <param name="ctx">The transaction context.</param>
    [Evaluate]
    public Caller WhoAmI(Context ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        return new Caller(ctx.ClientIdentity.MspId, ctx.ClientIdentity.Id, ctx.ClientIdentity.GetAttributeValue("role"));
    }

    private static Task PutAsync(Context ctx, Asset asset) =>
        ctx.Stub.PutStateAsync(asset.ID, JsonSerializer.SerializeToUtf8Bytes(asset, SampleJson.Default.Asset), ctx.CancellationToken);
}
