namespace ZonCoin.Orderer.MsgProcessor;

/// <summary>How the orderer treats an envelope, from its channel header type (Fabric's <c>ClassifyMsg</c>).</summary>
internal enum MessageClass
{
    /// <summary>ENDORSER_TRANSACTION or MESSAGE: ordered as it is.</summary>
    Normal,

    /// <summary>CONFIG_UPDATE: checked against the modification policies and turned into a CONFIG envelope.</summary>
    ConfigUpdate,
}
