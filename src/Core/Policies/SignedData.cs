namespace ZonCoin.Core.Policies;

/// <summary>
/// One signature offered to a policy, Fabric's <c>protoutil.SignedData</c>: the signed bytes, the signer's
/// serialized <c>msp.SerializedIdentity</c> and its DER ECDSA signature over <see cref="Data"/>.
/// </summary>
public sealed record SignedData(byte[] Data, byte[] Identity, byte[] Signature);
