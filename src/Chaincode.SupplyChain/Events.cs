namespace ZonCoin.Chaincode.SupplyChain;

/// <summary>The <c>BatchRegistered</c> event.</summary>
internal sealed record BatchRegisteredEvent(string Gtin, string Lot, string Expiry, int Quantity, string Manufacturer);

/// <summary>The <c>ShipmentCreated</c> event.</summary>
internal sealed record ShipmentCreatedEvent(string ShipmentId, string From, string To, IReadOnlyList<BatchRef> Batches, string HoldReference);

/// <summary>The <c>ShipmentAccepted</c> event.</summary>
internal sealed record ShipmentAcceptedEvent(string ShipmentId, string From, string To, string AcceptedAt, bool Violation);

/// <summary>The <c>TemperatureViolation</c> event.</summary>
internal sealed record TemperatureViolationEvent(string ShipmentId, decimal MinTempC, decimal MaxTempC, Reading Reading);

/// <summary>The <c>BatchRecalled</c> event (<see cref="Serials"/>: how many serial numbers the batch has).</summary>
internal sealed record BatchRecalledEvent(string Gtin, string Lot, string Reason, string Custodian, int Serials, string? RecalledAt);
