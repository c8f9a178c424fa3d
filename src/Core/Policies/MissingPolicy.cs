namespace ZonCoin.Core.Policies;

/// <summary>Stands in for a policy that does not exist; never satisfied (Fabric's reject policy).</summary>
internal sealed class MissingPolicy : IPolicy
{
    private readonly string _path;

    public MissingPolicy(string path)
    {
        _path = path;
    }

    public PolicyResult Evaluate(IReadOnlyList<SignedData> signatureSet) => Unsatisfied();

    public PolicyResult Evaluate(SignerSet signers) => Unsatisfied();

    private PolicyResult Unsatisfied() => PolicyResult.Unsatisfied($"policy {_path} does not exist");
}
