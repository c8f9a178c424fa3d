using ZonCoin.Core.Policies;
using ZonCoin.Protos.Common;
using Rule = ZonCoin.Protos.Common.ImplicitMetaPolicy.Types.Rule;

namespace ZonCoin.Core.Tests.Policies;

public sealed class ImplicitMetaPolicyEvaluatorTests
{
    public static TheoryData<Rule, int, int, bool> Cases => new()
    {
        // rule, children, satisfied children, expected
        { Rule.Any, 3, 0, false },
        { Rule.Any, 3, 1, true },
        { Rule.All, 3, 2, false },
        { Rule.All, 3, 3, true },
        { Rule.Majority, 3, 1, false },
        { Rule.Majority, 3, 2, true },
        { Rule.Majority, 3, 3, true },
        { Rule.Majority, 4, 2, false },
        { Rule.Majority, 4, 3, true },
        { Rule.Majority, 2, 1, false },
        { Rule.Majority, 1, 1, true },
        // No children: the threshold is 0 and every rule is satisfied, as in Fabric.
        { Rule.Any, 0, 0, true },
        { Rule.All, 0, 0, true },
        { Rule.Majority, 0, 0, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Counts_satisfied_sub_policies(Rule rule, int children, int satisfied, bool expected)
    {
        var subPolicies = Enumerable.Range(0, children)
            .Select(i => ($"/Channel/Application/Org{i}/Admins", (IPolicy)new Fixed(i < satisfied)))
            .ToList();
        var policy = new ImplicitMetaPolicyEvaluator(new ImplicitMetaPolicy { Rule = rule, SubPolicy = "Admins" }, subPolicies);

        var result = policy.Evaluate([]);

        Assert.Equal(expected, result.IsSatisfied);
        if (!expected)
        {
            Assert.Contains($"{satisfied} sub-policies were satisfied, but this policy requires {policy.Threshold} of the 'Admins' sub-policies",
                result.Reason, StringComparison.Ordinal);
            Assert.Contains($"/Channel/Application/Org{children - 1}/Admins: fixed failure", result.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Rejects_unknown_rules_and_empty_sub_policy_names()
    {
        Assert.Throws<PolicyException>(() => new ImplicitMetaPolicyEvaluator(new ImplicitMetaPolicy { Rule = (Rule)7, SubPolicy = "Admins" }, []));
        Assert.Throws<PolicyException>(() => new ImplicitMetaPolicyEvaluator(new ImplicitMetaPolicy { Rule = Rule.Any }, []));
    }

    private sealed class Fixed : IPolicy
    {
        private readonly bool _satisfied;

        public Fixed(bool satisfied)
        {
            _satisfied = satisfied;
        }

        public PolicyResult Evaluate(IReadOnlyList<SignedData> signatureSet) => Result();

        public PolicyResult Evaluate(SignerSet signers) => Result();

        private PolicyResult Result() => _satisfied ? PolicyResult.Satisfied : PolicyResult.Unsatisfied("fixed failure");
    }
}
