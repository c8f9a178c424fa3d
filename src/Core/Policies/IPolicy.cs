namespace ZonCoin.Core.Policies;

/// <summary>
/// A compiled policy (signature or implicit-meta) that decides whether a set of signatures satisfies it.
/// </summary>
public interface IPolicy
{
    /// <summary>
    /// Evaluates the signature set. Never throws for bad input: identities that do not deserialize or
    /// validate, unknown MSPs and signatures that do not verify are simply not counted.
    /// </summary>
    PolicyResult Evaluate(IReadOnlyList<SignedData> signatureSet);

    /// <summary>
    /// Evaluates signers that were already verified (see <see cref="SignerSet.From"/>): the cheap path when
    /// several policies, or the sub-policies of an implicit-meta policy, judge the same signatures.
    /// </summary>
    PolicyResult Evaluate(SignerSet signers);
}
