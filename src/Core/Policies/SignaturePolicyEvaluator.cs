using ZonCoin.Core.Identity;
using ZonCoin.Protos.Common;

namespace ZonCoin.Core.Policies;

/// <summary>
/// A compiled <c>SignaturePolicyEnvelope</c>, evaluated exactly as Fabric's cauthdsl: the distinct verified
/// signers are matched greedily — <c>signed_by i</c> consumes the first unused signer that satisfies
/// <c>identities[i]</c>; <c>n_out_of</c> tries every rule on a copy of the used flags, keeps the copy when the
/// rule succeeds, and needs at least n successes.
/// </summary>
public sealed class SignaturePolicyEvaluator : IPolicy
{
    private delegate bool Rule(IReadOnlyList<MspIdentity> signers, bool[] used);

    private readonly Rule _rule;
    private readonly MspManager _msps;

    private SignaturePolicyEvaluator(SignaturePolicyEnvelope envelope, Rule rule, MspManager msps)
    {
        Envelope = envelope;
        _rule = rule;
        _msps = msps;
        Description = PolicyDsl.Format(envelope);
    }

    /// <summary>A copy of the envelope this policy was compiled from.</summary>
    public SignaturePolicyEnvelope Envelope { get; }

    /// <summary>The policy in Fabric's DSL form, e.g. <c>OR('Org1MSP.peer', 'Org2MSP.peer')</c>.</summary>
    public string Description { get; }

    /// <summary>
    /// Checks and compiles an envelope. Throws <see cref="PolicyException"/> when the version is not 0, a rule is
    /// empty, a <c>signed_by</c> index is out of range, or an <c>n_out_of</c> needs a negative count or more
    /// successes than it has rules.
    /// </summary>
    public static SignaturePolicyEvaluator Compile(SignaturePolicyEnvelope envelope, MspManager msps)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(msps);
        if (envelope.Version != 0)
        {
            throw new PolicyException($"signature policy envelope version {envelope.Version} is not supported; only version 0 is");
        }
        var copy = envelope.Clone();
        var rule = CompileRule(copy.Rule, copy.Identities, msps, "rule");
        return new SignaturePolicyEvaluator(copy, rule, msps);
    }

    /// <inheritdoc />
    public PolicyResult Evaluate(IReadOnlyList<SignedData> signatureSet) => Evaluate(SignerSet.From(signatureSet, _msps));

    /// <inheritdoc />
    public PolicyResult Evaluate(SignerSet signers)
    {
        ArgumentNullException.ThrowIfNull(signers);
        if (_rule(signers.Identities, new bool[signers.Identities.Count]))
        {
            return PolicyResult.Satisfied;
        }
        return PolicyResult.Unsatisfied($"signature set did not satisfy policy {Description} ({signers.Describe()})");
    }

    public override string ToString() => Description;

    private static Rule CompileRule(SignaturePolicy? policy, IReadOnlyList<MSPPrincipal> identities, MspManager msps, string where)
    {
        switch (policy?.TypeCase)
        {
            case SignaturePolicy.TypeOneofCase.SignedBy:
                var index = policy.SignedBy;
                if (index < 0 || index >= identities.Count)
                {
                    throw new PolicyException(
                        $"{where}: signed_by index {index} is out of range; the envelope has {identities.Count} identities");
                }
                return SignedBy(identities[index], msps);
            case SignaturePolicy.TypeOneofCase.NOutOf:
                var nOutOf = policy.NOutOf;
                if (nOutOf.N < 0)
                {
                    throw new PolicyException($"{where}: n_out_of needs a non-negative n, got {nOutOf.N}");
                }
                if (nOutOf.N > nOutOf.Rules.Count)
                {
                    throw new PolicyException(
                        $"{where}: n_out_of needs {nOutOf.N} of {nOutOf.Rules.Count} rules, which can never be satisfied");
                }
                var rules = nOutOf.Rules.Select((r, i) => CompileRule(r, identities, msps, $"{where}.n_out_of.rules[{i}]")).ToArray();
                return OutOf(nOutOf.N, rules);
            default:
                throw new PolicyException($"{where}: empty signature policy rule (neither signed_by nor n_out_of)");
        }
    }

    private static Rule SignedBy(MSPPrincipal principal, MspManager msps) => (signers, used) =>
    {
        for (var i = 0; i < signers.Count; i++)
        {
            if (!used[i] && msps.SatisfiesPrincipal(signers[i], principal))
            {
                used[i] = true;
                return true;
            }
        }
        return false;
    };

    private static Rule OutOf(int n, Rule[] rules) => (signers, used) =>
    {
        var satisfied = 0;
        var attempt = new bool[used.Length];
        foreach (var rule in rules)
        {
            Array.Copy(used, attempt, used.Length);
            if (rule(signers, attempt))
            {
                satisfied++;
                Array.Copy(attempt, used, used.Length);
            }
        }
        return satisfied >= n;
    };
}
