using ZonCoin.Protos.Common;

namespace ZonCoin.Core.Policies;

/// <summary>
/// A compiled <c>ImplicitMetaPolicy</c>: the named sub-policy of every child group, with threshold ANY = 1,
/// ALL = all, MAJORITY = n/2+1, and 0 (always satisfied) when the group has no children, as in Fabric.
/// A child that lacks the sub-policy counts as a child that is not satisfied.
/// </summary>
public sealed class ImplicitMetaPolicyEvaluator : IPolicy
{
    private readonly (string Path, IPolicy Policy)[] _subPolicies;

    /// <summary>
    /// Creates the policy over the children's sub-policies, named by path for failure reasons. Throws
    /// <see cref="PolicyException"/> for an unknown rule or an empty sub-policy name.
    /// </summary>
    public ImplicitMetaPolicyEvaluator(ImplicitMetaPolicy definition, IReadOnlyList<(string Path, IPolicy Policy)> subPolicies)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(subPolicies);
        if (string.IsNullOrEmpty(definition.SubPolicy))
        {
            throw new PolicyException("implicit meta policy names no sub-policy");
        }
        _subPolicies = [.. subPolicies];
        var count = _subPolicies.Length;
        var threshold = definition.Rule switch
        {
            ImplicitMetaPolicy.Types.Rule.Any => 1,
            ImplicitMetaPolicy.Types.Rule.All => count,
            ImplicitMetaPolicy.Types.Rule.Majority => (count / 2) + 1,
            _ => throw new PolicyException($"implicit meta policy has unknown rule {(int)definition.Rule}; expected ANY, ALL or MAJORITY"),
        };
        Threshold = count == 0 ? 0 : threshold;
        Definition = definition.Clone();
    }

    /// <summary>A copy of the definition.</summary>
    public ImplicitMetaPolicy Definition { get; }

    /// <summary>How many sub-policies must be satisfied.</summary>
    public int Threshold { get; }

    /// <summary>The policy in configtx form, e.g. <c>MAJORITY Admins</c>.</summary>
    public string Description => PolicyDsl.FormatImplicitMeta(Definition);

    /// <inheritdoc />
    public PolicyResult Evaluate(IReadOnlyList<SignedData> signatureSet)
    {
        ArgumentNullException.ThrowIfNull(signatureSet);
        return Evaluate(policy => policy.Evaluate(signatureSet));
    }

    /// <inheritdoc />
    public PolicyResult Evaluate(SignerSet signers)
    {
        ArgumentNullException.ThrowIfNull(signers);
        return Evaluate(policy => policy.Evaluate(signers));
    }

    private PolicyResult Evaluate(Func<IPolicy, PolicyResult> evaluateSubPolicy)
    {
        if (Threshold == 0)
        {
            return PolicyResult.Satisfied;
        }
        var satisfied = 0;
        var failures = new List<string>();
        foreach (var (path, policy) in _subPolicies)
        {
            var result = evaluateSubPolicy(policy);
            if (result.IsSatisfied)
            {
                if (++satisfied >= Threshold)
                {
                    return PolicyResult.Satisfied;
                }
            }
            else
            {
                failures.Add($"{path}: {result.Reason}");
            }
        }
        return PolicyResult.Unsatisfied(
            $"implicit policy {Description} failed: {satisfied} sub-policies were satisfied, but this policy requires {Threshold} of the "
            + $"'{Definition.SubPolicy}' sub-policies to be satisfied [{string.Join("; ", failures)}]");
    }

    public override string ToString() => Description;
}
