using System.Text.Json.Nodes;
using ZonCoin.Chaincode.Contracts;
using ZonCoin.Chaincode.Shim;

namespace ZonCoin.Chaincode.SupplyChain;

/// <summary>
/// Pharmaceutical supply chain in the style of GS1 EPCIS and the US DSCSA: manufacturers register products and
/// serialised batches, custodians ship them to other organisations, sensors record the cold chain, receivers accept
/// custody, manufacturers recall, and anyone verifies a serial's provenance. Roles come from the caller's MSP ID.
/// Results are camelCase JSON; the key layout and data model are in README.md.
/// </summary>
public sealed class SupplyChainContract : Contract
{
    /// <summary>The contract's name.</summary>
    public const string ContractName = "SupplyChain";

    /// <summary>The composite-key index of batches by custodian: <c>custodian~batch</c>, mspId, gtin, lot.</summary>
    public const string CustodianIndex = "custodian~batch";

    /// <summary>The largest page of <see cref="QueryBatchesByStatusPage"/>.</summary>
    public const int MaxPageSize = 1000;

    private static readonly byte[] IndexValue = [0];

    /// <summary>Creates the contract, named <c>SupplyChain</c>.</summary>
    public SupplyChainContract()
        : base(ContractName)
    {
    }

    /// <inheritdoc/>
    public override ContractInfo Info => new("Pharmaceutical supply chain", "1.0.0")
    {
        Description = "GS1 EPCIS / DSCSA style products, serialised batches, shipments with cold chain, custody and recalls",
    };

    /// <summary>The ledger key of a product.</summary>
    /// <param name="gtin">The GTIN-14.</param>
    public static string ProductKey(string gtin) => CompositeKeys.Create(DocTypes.Product, gtin);

    /// <summary>The ledger key of a batch.</summary>
    /// <param name="gtin">The GTIN-14.</param>
    /// <param name="lot">The lot.</param>
    public static string BatchKey(string gtin, string lot) => CompositeKeys.Create(DocTypes.Batch, gtin, lot);

    /// <summary>The ledger key of a serial number.</summary>
    /// <param name="serial">The serial.</param>
    public static string SerialKey(string serial) => CompositeKeys.Create(DocTypes.Serial, serial);

    /// <summary>The ledger key of a shipment.</summary>
    /// <param name="shipmentId">The shipment id.</param>
    public static string ShipmentKey(string shipmentId) => CompositeKeys.Create(DocTypes.Shipment, shipmentId);

    /// <summary>Registers a product; the caller's organisation becomes its manufacturer. Emits <c>ProductRegistered</c>.</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="gtin">The GTIN-14 (valid GS1 check digit).</param>
    /// <param name="name">The product's name.</param>
    /// <returns>The product as JSON.</returns>
    public async Task<string> RegisterProduct(Context ctx, string gtin, string name)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        Inputs.Gtin(gtin);
        Inputs.Id(name, "product name", 200);
        var existing = await ctx.Stub.GetStateAsync(ProductKey(gtin), ctx.CancellationToken).ConfigureAwait(false);
        if (!existing.IsEmpty)
        {
            throw new InvalidOperationException($"product {gtin} is already registered by {Json.Read<Product>(existing).Manufacturer}");
        }
        var product = new Product
        {
            Gtin = gtin,
            Name = name,
            Manufacturer = ctx.ClientIdentity.MspId,
            RegisteredAt = Inputs.Format(ctx.Stub.TxTimestamp),
            TxId = ctx.Stub.TxId,
        };
        await Put(ctx, ProductKey(gtin), product).ConfigureAwait(false);
        ctx.Stub.SetEvent("ProductRegistered", Json.Bytes(product));
        return Json.Text(product);
    }

    /// <summary>Reads a product.</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="gtin">The GTIN-14.</param>
    /// <returns>The product as JSON.</returns>
    [Evaluate]
    public async Task<string> GetProduct(Context ctx, string gtin) => Json.Text(await LoadProduct(ctx, gtin).ConfigureAwait(false));

    /// <summary>
    /// Registers a batch of a product; only the product's manufacturer may, and it becomes the first custodian.
    /// Serial numbers are unique across the ledger. Emits <c>BatchRegistered</c>.
    /// </summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="gtin">The product's GTIN-14.</param>
    /// <param name="lot">The lot number.</param>
    /// <param name="expiry">Expiry, ISO-8601 UTC, after the transaction's time.</param>
    /// <param name="quantity">The number of units, equal to the number of serials.</param>
    /// <param name="serialsJson">A JSON array of the units' serial numbers.</param>
    /// <returns>The batch as JSON.</returns>
    public async Task<string> RegisterBatch(Context ctx, string gtin, string lot, string expiry, string quantity, string serialsJson)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var product = await LoadProduct(ctx, gtin).ConfigureAwait(false);
        var caller = ctx.ClientIdentity.MspId;
        if (caller != product.Manufacturer)
        {
            throw new UnauthorizedAccessException($"only {product.Manufacturer}, the manufacturer of {gtin}, may register its batches; the caller is {caller}");
        }
        Inputs.Gs1Text(lot, "lot");
        var expiresAt = Inputs.Time(expiry, "expiry");
        if (expiresAt <= ctx.Stub.TxTimestamp)
        {
            throw new ArgumentException($"expiry {expiry} is not after the transaction's time {Inputs.Format(ctx.Stub.TxTimestamp)}");
        }
        var units = Inputs.PositiveInteger(quantity, "quantity");
        var serials = Inputs.Serials(serialsJson);
        if (units != serials.Count)
        {
            throw new ArgumentException($"quantity {units} does not match the {serials.Count} serial numbers given");
        }
        if (!(await ctx.Stub.GetStateAsync(BatchKey(gtin, lot), ctx.CancellationToken).ConfigureAwait(false)).IsEmpty)
        {
            throw new InvalidOperationException($"batch {gtin}/{lot} is already registered");
        }
        foreach (var serial in serials)
        {
            var taken = await ctx.Stub.GetStateAsync(SerialKey(serial), ctx.CancellationToken).ConfigureAwait(false);
            if (!taken.IsEmpty)
            {
                var owner = Json.Read<SerialRecord>(taken);
                throw new InvalidOperationException($"serial {serial} is already registered in batch {owner.Gtin}/{owner.Lot}");
            }
        }
        var batch = new Batch
        {
            Gtin = gtin,
            Lot = lot,
            Expiry = Inputs.Format(expiresAt),
            Quantity = units,
            Serials = serials,
            Manufacturer = caller,
            Custodian = caller,
            Status = Statuses.Active,
            Custody = [new CustodyEntry(caller, Inputs.Format(ctx.Stub.TxTimestamp), ctx.Stub.TxId, null)],
        };
        await Put(ctx, BatchKey(gtin, lot), batch).ConfigureAwait(false);
        foreach (var serial in serials)
        {
            await Put(ctx, SerialKey(serial), new SerialRecord(DocTypes.Serial, serial, gtin, lot)).ConfigureAwait(false);
        }
        await ctx.Stub.PutStateAsync(CompositeKeys.Create(CustodianIndex, caller, gtin, lot), IndexValue, ctx.CancellationToken).ConfigureAwait(false);
        ctx.Stub.SetEvent("BatchRegistered", Json.Bytes(new BatchRegisteredEvent(gtin, lot, batch.Expiry, units, caller)));
        return Json.Text(batch);
    }

    /// <summary>Reads a batch, with <c>expired</c> relative to the transaction's time.</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="gtin">The product's GTIN-14.</param>
    /// <param name="lot">The lot number.</param>
    /// <returns>The batch as JSON.</returns>
    [Evaluate]
    public async Task<string> GetBatch(Context ctx, string gtin, string lot)
    {
        var batch = await LoadBatch(ctx, gtin, lot).ConfigureAwait(false);
        return Json.Text(batch with { Expired = IsExpired(ctx, batch) });
    }

    /// <summary>
    /// Ships batches to another organisation; the caller must be the custodian of every batch, none recalled, in
    /// transit or expired. The batches become <c>in-transit</c>. Emits <c>ShipmentCreated</c>.
    /// </summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="shipmentId">A new shipment id.</param>
    /// <param name="batchesJson">A JSON array of <c>{"gtin":…,"lot":…}</c>.</param>
    /// <param name="toMspId">The receiving organisation, not the caller's.</param>
    /// <param name="minTempC">The lowest allowed temperature, °C.</param>
    /// <param name="maxTempC">The highest allowed temperature, °C, not below the lowest.</param>
    /// <param name="holdReference">A ZonCoin hold id securing payment, or empty.</param>
    /// <returns>The shipment as JSON.</returns>
    public async Task<string> CreateShipment(Context ctx, string shipmentId, string batchesJson, string toMspId, string minTempC, string maxTempC, string holdReference)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        Inputs.Id(shipmentId, "shipment id");
        var refs = Inputs.Batches(batchesJson);
        Inputs.Id(toMspId, "receiving MSP ID");
        var caller = ctx.ClientIdentity.MspId;
        if (toMspId == caller)
        {
            throw new ArgumentException($"a shipment must go to another organisation; {caller} is the sender");
        }
        var min = Inputs.Temperature(minTempC, "minTempC");
        var max = Inputs.Temperature(maxTempC, "maxTempC");
        if (min > max)
        {
            throw new ArgumentException($"minTempC {minTempC} is above maxTempC {maxTempC}");
        }
        if (!string.IsNullOrEmpty(holdReference))
        {
            Inputs.Id(holdReference, "hold reference", 128);
        }
        if (!(await ctx.Stub.GetStateAsync(ShipmentKey(shipmentId), ctx.CancellationToken).ConfigureAwait(false)).IsEmpty)
        {
            throw new InvalidOperationException($"shipment {shipmentId} already exists");
        }
        var batches = new List<Batch>();
        foreach (var r in refs)
        {
            var batch = await LoadBatch(ctx, r.Gtin, r.Lot).ConfigureAwait(false);
            if (batch.Custodian != caller)
            {
                throw new UnauthorizedAccessException($"only {batch.Custodian}, the custodian of batch {r.Gtin}/{r.Lot}, may ship it; the caller is {caller}");
            }
            if (batch.Status == Statuses.Recalled)
            {
                throw new InvalidOperationException($"batch {r.Gtin}/{r.Lot} is recalled ({batch.RecallReason}) and cannot be shipped");
            }
            if (batch.Status == Statuses.InTransit)
            {
                throw new InvalidOperationException($"batch {r.Gtin}/{r.Lot} is already in transit in shipment {batch.ShipmentId}");
            }
            if (IsExpired(ctx, batch))
            {
                throw new InvalidOperationException($"batch {r.Gtin}/{r.Lot} expired at {batch.Expiry} and cannot be shipped");
            }
            batches.Add(batch);
        }
        var shipment = new Shipment
        {
            ShipmentId = shipmentId,
            From = caller,
            To = toMspId,
            Batches = refs,
            MinTempC = min,
            MaxTempC = max,
            HoldReference = holdReference ?? "",
            Status = Statuses.InTransit,
            CreatedAt = Inputs.Format(ctx.Stub.TxTimestamp),
            Violation = false,
            Violations = [],
        };
        foreach (var batch in batches)
        {
            await Put(ctx, BatchKey(batch.Gtin, batch.Lot), batch with { Status = Statuses.InTransit, ShipmentId = shipmentId }).ConfigureAwait(false);
        }
        await Put(ctx, ShipmentKey(shipmentId), shipment).ConfigureAwait(false);
        ctx.Stub.SetEvent("ShipmentCreated", Json.Bytes(new ShipmentCreatedEvent(shipmentId, caller, toMspId, refs, shipment.HoldReference)));
        return Json.Text(shipment);
    }

    /// <summary>
    /// Accepts a shipment; only the receiving organisation may, once. Custody of every batch passes to it (a custody
    /// entry with the transaction's time); recalled batches stay recalled, the others become active. Emits <c>ShipmentAccepted</c>.
    /// </summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="shipmentId">The shipment id.</param>
    /// <returns>The shipment as JSON.</returns>
    public async Task<string> AcceptShipment(Context ctx, string shipmentId)
    {
        var shipment = await LoadShipment(ctx, shipmentId).ConfigureAwait(false);
        var caller = ctx.ClientIdentity.MspId;
        if (caller != shipment.To)
        {
            throw new UnauthorizedAccessException($"only {shipment.To}, the receiver of shipment {shipmentId}, may accept it; the caller is {caller}");
        }
        if (shipment.Status == Statuses.Accepted)
        {
            throw new InvalidOperationException($"shipment {shipmentId} was already accepted at {shipment.AcceptedAt}");
        }
        var now = Inputs.Format(ctx.Stub.TxTimestamp);
        foreach (var r in shipment.Batches)
        {
            var batch = await LoadBatch(ctx, r.Gtin, r.Lot).ConfigureAwait(false);
            var received = batch with
            {
                Custodian = caller,
                Status = batch.Status == Statuses.Recalled ? Statuses.Recalled : Statuses.Active,
                ShipmentId = null,
                Custody = [.. batch.Custody, new CustodyEntry(caller, now, ctx.Stub.TxId, shipmentId)],
            };
            await Put(ctx, BatchKey(r.Gtin, r.Lot), received).ConfigureAwait(false);
            await ctx.Stub.DeleteStateAsync(CompositeKeys.Create(CustodianIndex, batch.Custodian, r.Gtin, r.Lot), ctx.CancellationToken).ConfigureAwait(false);
            await ctx.Stub.PutStateAsync(CompositeKeys.Create(CustodianIndex, caller, r.Gtin, r.Lot), IndexValue, ctx.CancellationToken).ConfigureAwait(false);
        }
        var accepted = shipment with { Status = Statuses.Accepted, AcceptedAt = now };
        await Put(ctx, ShipmentKey(shipmentId), accepted).ConfigureAwait(false);
        ctx.Stub.SetEvent("ShipmentAccepted", Json.Bytes(new ShipmentAcceptedEvent(shipmentId, shipment.From, caller, now, shipment.Violation)));
        return Json.Text(accepted);
    }

    /// <summary>Reads a shipment.</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="shipmentId">The shipment id.</param>
    /// <returns>The shipment as JSON.</returns>
    [Evaluate]
    public async Task<string> GetShipment(Context ctx, string shipmentId) => Json.Text(await LoadShipment(ctx, shipmentId).ConfigureAwait(false));

    /// <summary>
    /// Records a sensor reading of a shipment (by its sender or receiver). An out-of-range reading flags the shipment
    /// (<c>violation: true</c>, the reading added to <c>violations</c>) and emits <c>TemperatureViolation</c>; an
    /// in-range one touches only its own key (so concurrent readings do not conflict) and emits <c>ReadingRecorded</c>.
    /// </summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="shipmentId">The shipment id.</param>
    /// <param name="sensorId">The sensor.</param>
    /// <param name="temperatureC">The temperature, °C.</param>
    /// <param name="time">When it was measured, ISO-8601 UTC.</param>
    /// <returns>The reading as JSON.</returns>
    public async Task<string> RecordReading(Context ctx, string shipmentId, string sensorId, string temperatureC, string time)
    {
        var shipment = await LoadShipment(ctx, shipmentId).ConfigureAwait(false);
        var caller = ctx.ClientIdentity.MspId;
        if (caller != shipment.From && caller != shipment.To)
        {
            throw new UnauthorizedAccessException($"only the sender {shipment.From} or the receiver {shipment.To} of shipment {shipmentId} may record its readings; the caller is {caller}");
        }
        Inputs.Id(sensorId, "sensor id");
        var celsius = Inputs.Temperature(temperatureC, "temperatureC");
        var measured = Inputs.Format(Inputs.Time(time, "reading time"));
        var reading = new Reading
        {
            ShipmentId = shipmentId,
            SensorId = sensorId,
            TemperatureC = celsius,
            Time = measured,
            InRange = celsius >= shipment.MinTempC && celsius <= shipment.MaxTempC,
            TxId = ctx.Stub.TxId,
        };
        await Put(ctx, CompositeKeys.Create(DocTypes.Reading, shipmentId, measured, sensorId, ctx.Stub.TxId), reading).ConfigureAwait(false);
        if (reading.InRange)
        {
            ctx.Stub.SetEvent("ReadingRecorded", Json.Bytes(reading));
        }
        else
        {
            await Put(ctx, ShipmentKey(shipmentId), shipment with { Violation = true, Violations = [.. shipment.Violations, reading] }).ConfigureAwait(false);
            ctx.Stub.SetEvent("TemperatureViolation", Json.Bytes(new TemperatureViolationEvent(shipmentId, shipment.MinTempC, shipment.MaxTempC, reading)));
        }
        return Json.Text(reading);
    }

    /// <summary>Every reading of a shipment, by measurement time.</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="shipmentId">The shipment id.</param>
    /// <returns>A JSON array of readings.</returns>
    [Evaluate]
    public async Task<string> GetReadings(Context ctx, string shipmentId)
    {
        await LoadShipment(ctx, shipmentId).ConfigureAwait(false);
        var readings = new List<Reading>();
        await foreach (var kv in ctx.Stub.GetStateByPartialCompositeKey(DocTypes.Reading, shipmentId).WithCancellation(ctx.CancellationToken).ConfigureAwait(false))
        {
            readings.Add(Json.Read<Reading>(kv.Value));
        }
        return Json.Text(readings);
    }

    /// <summary>Recalls a batch; only its manufacturer may. Every serial then verifies as recalled. Emits <c>BatchRecalled</c>.</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="gtin">The product's GTIN-14.</param>
    /// <param name="lot">The lot number.</param>
    /// <param name="reason">Why.</param>
    /// <returns>The batch as JSON.</returns>
    public async Task<string> RecallBatch(Context ctx, string gtin, string lot, string reason)
    {
        var batch = await LoadBatch(ctx, gtin, lot).ConfigureAwait(false);
        var caller = ctx.ClientIdentity.MspId;
        if (caller != batch.Manufacturer)
        {
            throw new UnauthorizedAccessException($"only {batch.Manufacturer}, the manufacturer of batch {gtin}/{lot}, may recall it; the caller is {caller}");
        }
        Inputs.Id(reason, "recall reason", 500);
        if (batch.Status == Statuses.Recalled)
        {
            throw new InvalidOperationException($"batch {gtin}/{lot} was already recalled at {batch.RecalledAt}");
        }
        var recalled = batch with { Status = Statuses.Recalled, RecallReason = reason, RecalledAt = Inputs.Format(ctx.Stub.TxTimestamp) };
        await Put(ctx, BatchKey(gtin, lot), recalled).ConfigureAwait(false);
        ctx.Stub.SetEvent("BatchRecalled", Json.Bytes(new BatchRecalledEvent(gtin, lot, reason, batch.Custodian, batch.Serials.Count, recalled.RecalledAt)));
        return Json.Text(recalled);
    }

    /// <summary>
    /// A serial's provenance: product, lot, expiry, manufacturer, custody chain with times, shipments with cold-chain
    /// violations and status (recalled, expired relative to the transaction's time, in-transit or active).
    /// </summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="serial">The serial number.</param>
    /// <returns>The <see cref="Provenance"/> as JSON.</returns>
    [Evaluate]
    public async Task<string> VerifySerial(Context ctx, string serial)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        Inputs.Gs1Text(serial, "serial");
        var record = await ctx.Stub.GetStateAsync(SerialKey(serial), ctx.CancellationToken).ConfigureAwait(false);
        if (record.IsEmpty)
        {
            throw new KeyNotFoundException($"unknown serial {serial}: no batch on this ledger has it (do not dispense; possibly counterfeit)");
        }
        var pointer = Json.Read<SerialRecord>(record);
        var batch = await LoadBatch(ctx, pointer.Gtin, pointer.Lot).ConfigureAwait(false);
        var product = await LoadProduct(ctx, pointer.Gtin).ConfigureAwait(false);
        var violations = new List<string>();
        foreach (var shipmentId in batch.Custody.Select(c => c.ShipmentId).Append(batch.ShipmentId).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            if ((await LoadShipment(ctx, shipmentId).ConfigureAwait(false)).Violation)
            {
                violations.Add(shipmentId);
            }
        }
        var status = batch.Status == Statuses.Recalled ? Statuses.Recalled
            : IsExpired(ctx, batch) ? Statuses.Expired
            : batch.Status;
        return Json.Text(new Provenance
        {
            Serial = serial,
            Gtin = batch.Gtin,
            ProductName = product.Name,
            Lot = batch.Lot,
            Expiry = batch.Expiry,
            Manufacturer = batch.Manufacturer,
            Status = status,
            Custodian = batch.Custodian,
            CustodyChain = batch.Custody,
            ColdChainViolations = violations,
            RecallReason = batch.RecallReason,
            CheckedAt = Inputs.Format(ctx.Stub.TxTimestamp),
        });
    }

    /// <summary>The batches an organisation holds, through the <c>custodian~batch</c> composite-key index (any state database).</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="mspId">The custodian's MSP ID.</param>
    /// <returns>A JSON array of batches.</returns>
    [Evaluate]
    public async Task<string> QueryBatchesByCustodian(Context ctx, string mspId)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        Inputs.Id(mspId, "MSP ID");
        var batches = new List<Batch>();
        await foreach (var kv in ctx.Stub.GetStateByPartialCompositeKey(CustodianIndex, mspId).WithCancellation(ctx.CancellationToken).ConfigureAwait(false))
        {
            var attributes = CompositeKeys.Split(kv.Key).Attributes;
            batches.Add(await LoadBatch(ctx, attributes[1], attributes[2]).ConfigureAwait(false));
        }
        return Json.Text(batches);
    }

    /// <summary>
    /// Batches with a status whose expiry is before a time, soonest first (a rich query on the
    /// <c>indexBatchStatus</c> index; needs the PostgreSQL state database).
    /// </summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="status"><c>active</c>, <c>in-transit</c> or <c>recalled</c>.</param>
    /// <param name="expiringBefore">An ISO-8601 UTC time, or empty for any expiry.</param>
    /// <returns>A JSON array of batches.</returns>
    [Evaluate]
    public async Task<string> QueryBatchesByStatus(Context ctx, string status, string expiringBefore)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var query = BatchStatusQuery(status, expiringBefore);
        var batches = new List<Batch>();
        try
        {
            await foreach (var kv in ctx.Stub.GetQueryResult(query).WithCancellation(ctx.CancellationToken).ConfigureAwait(false))
            {
                batches.Add(Json.Read<Batch>(kv.Value));
            }
        }
        catch (ChaincodeStubException e) when (IsRichQueryUnsupported(e))
        {
            throw RichQueriesNeeded(nameof(QueryBatchesByStatus), e);
        }
        return Json.Text(batches);
    }

    /// <summary>One page of batches with a status, soonest expiry first (rich query; needs the PostgreSQL state database).</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="status"><c>active</c>, <c>in-transit</c> or <c>recalled</c>.</param>
    /// <param name="pageSize">The most batches to return, 1 to 1000.</param>
    /// <param name="bookmark">The previous page's bookmark, or empty for the first page.</param>
    /// <returns><c>{records, bookmark, fetchedRecordsCount}</c> as JSON.</returns>
    [Evaluate]
    public async Task<string> QueryBatchesByStatusPage(Context ctx, string status, string pageSize, string bookmark)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var query = BatchStatusQuery(status, "");
        var size = Inputs.PositiveInteger(pageSize, "pageSize", MaxPageSize);
        try
        {
            var page = await ctx.Stub.GetQueryResultWithPaginationAsync(query, size, bookmark ?? "", ctx.CancellationToken).ConfigureAwait(false);
            return Json.Text(new BatchPage([.. page.Results.Select(kv => Json.Read<Batch>(kv.Value))], page.Bookmark, page.FetchedRecordsCount));
        }
        catch (ChaincodeStubException e) when (IsRichQueryUnsupported(e))
        {
            throw RichQueriesNeeded(nameof(QueryBatchesByStatusPage), e);
        }
    }

    /// <summary>Shipments with an out-of-range reading (rich query on <c>indexShipmentViolation</c>; needs the PostgreSQL state database).</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <returns>A JSON array of shipments.</returns>
    [Evaluate]
    public async Task<string> QueryShipmentsWithViolations(Context ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var query = new JsonObject
        {
            ["selector"] = new JsonObject { ["docType"] = DocTypes.Shipment, ["violation"] = true },
            ["use_index"] = new JsonArray("_design/indexShipmentViolationDoc", "indexShipmentViolation"),
        }.ToJsonString();
        var shipments = new List<Shipment>();
        try
        {
            await foreach (var kv in ctx.Stub.GetQueryResult(query).WithCancellation(ctx.CancellationToken).ConfigureAwait(false))
            {
                shipments.Add(Json.Read<Shipment>(kv.Value));
            }
        }
        catch (ChaincodeStubException e) when (IsRichQueryUnsupported(e))
        {
            throw RichQueriesNeeded(nameof(QueryShipmentsWithViolations), e);
        }
        return Json.Text(shipments);
    }

    /// <summary>
    /// The selector of the batch status queries: docType, status and expiry (all three, so the sort on expiry can use
    /// the <c>indexBatchStatus</c> index), sorted by expiry.
    /// </summary>
    /// <param name="status">The status.</param>
    /// <param name="expiringBefore">An ISO-8601 UTC time, or empty for any expiry.</param>
    public static string BatchStatusQuery(string status, string expiringBefore)
    {
        if (status is not (Statuses.Active or Statuses.InTransit or Statuses.Recalled))
        {
            throw new ArgumentException($"status '{status}' must be active, in-transit or recalled (expired batches: status active with expiringBefore)");
        }
        var expiry = string.IsNullOrEmpty(expiringBefore)
            ? new JsonObject { ["$gte"] = "0000-01-01T00:00:00Z" }
            : new JsonObject { ["$lt"] = Inputs.Format(Inputs.Time(expiringBefore, "expiringBefore")) };
        return new JsonObject
        {
            ["selector"] = new JsonObject { ["docType"] = DocTypes.Batch, ["status"] = status, ["expiry"] = expiry },
            ["sort"] = new JsonArray(new JsonObject { ["expiry"] = "asc" }),
            ["use_index"] = new JsonArray("_design/indexBatchStatusDoc", "indexBatchStatus"),
        }.ToJsonString();
    }

    // The peer words its ERROR as Fabric's handler does ("GET_QUERY_RESULT failed: transaction ID: …: ExecuteQuery not
    // supported for …"), so the reason is looked for anywhere in the message.
    private static bool IsRichQueryUnsupported(ChaincodeStubException e) =>
        e.Message.Contains("ExecuteQuery not supported", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("need the PostgreSQL state database", StringComparison.OrdinalIgnoreCase);

    private static InvalidOperationException RichQueriesNeeded(string function, Exception cause) =>
        new($"{function} needs a peer with the PostgreSQL state database (rich queries); this peer's state database does not support them", cause);

    private static bool IsExpired(Context ctx, Batch batch) => Inputs.Time(batch.Expiry, "expiry") <= ctx.Stub.TxTimestamp;

    private static Task Put<T>(Context ctx, string key, T value) => ctx.Stub.PutStateAsync(key, Json.Bytes(value), ctx.CancellationToken);

    private static async Task<Product> LoadProduct(Context ctx, string gtin)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        Inputs.Gtin(gtin);
        var value = await ctx.Stub.GetStateAsync(ProductKey(gtin), ctx.CancellationToken).ConfigureAwait(false);
        return value.IsEmpty ? throw new KeyNotFoundException($"unknown product {gtin}") : Json.Read<Product>(value);
    }

    private static async Task<Batch> LoadBatch(Context ctx, string gtin, string lot)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        Inputs.Gtin(gtin);
        Inputs.Gs1Text(lot, "lot");
        var value = await ctx.Stub.GetStateAsync(BatchKey(gtin, lot), ctx.CancellationToken).ConfigureAwait(false);
        return value.IsEmpty ? throw new KeyNotFoundException($"unknown batch {gtin}/{lot}") : Json.Read<Batch>(value);
    }

    private static async Task<Shipment> LoadShipment(Context ctx, string shipmentId)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        Inputs.Id(shipmentId, "shipment id");
        var value = await ctx.Stub.GetStateAsync(ShipmentKey(shipmentId), ctx.CancellationToken).ConfigureAwait(false);
        return value.IsEmpty ? throw new KeyNotFoundException($"unknown shipment {shipmentId}") : Json.Read<Shipment>(value);
    }
}
