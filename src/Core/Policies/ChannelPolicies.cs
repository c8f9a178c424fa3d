using Google.Protobuf;
using ZonCoin.Core.Identity;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Config;

namespace ZonCoin.Core.Policies;

/// <summary>
/// The policy tree of a channel, compiled from a <see cref="ChannelConfig"/> and addressed by Fabric paths:
/// <c>/Channel/&lt;Policy&gt;</c>, <c>/Channel/Application/&lt;Policy&gt;</c>,
/// <c>/Channel/Application/&lt;Org&gt;/&lt;Policy&gt;</c>, <c>/Channel/Orderer/&lt;Policy&gt;</c> and
/// <c>/Channel/Orderer/&lt;Org&gt;/&lt;Policy&gt;</c>, where an org's group is named by
/// <c>Organization.name</c> (its MSP ID when the name is empty). Implicit-meta policies at <c>/Channel</c>
/// range over the Application and Orderer groups (those present), at <c>/Channel/Application</c> and
/// <c>/Channel/Orderer</c> over their organisations, and at an organisation over nothing (always satisfied,
/// as in Fabric).
/// </summary>
/// <remarks>
/// Lookups: <see cref="Find"/> returns null for a missing path, <see cref="Get"/> throws
/// <see cref="PolicyException"/>, and <see cref="Evaluate"/> reports a missing path as an unsatisfied result,
/// like Fabric's reject policy. Paths not starting with '/' are relative to <c>/Channel</c>.
/// </remarks>
public sealed class ChannelPolicies
{
    /// <summary>The root group's name.</summary>
    public const string ChannelGroup = "Channel";

    /// <summary>The application group's name.</summary>
    public const string ApplicationGroup = "Application";

    /// <summary>The orderer group's name.</summary>
    public const string OrdererGroup = "Orderer";

    private readonly Dictionary<string, IPolicy> _byPath;
    private readonly MspManager _msps;

    private ChannelPolicies(PolicyGroup root, Dictionary<string, IPolicy> byPath, MspManager msps)
    {
        Root = root;
        _byPath = byPath;
        _msps = msps;
    }

    /// <summary>The <c>/Channel</c> group.</summary>
    public PolicyGroup Root { get; }

    /// <summary>Every policy path in the tree, sorted ordinally.</summary>
    public IReadOnlyList<string> Paths => [.. _byPath.Keys.Order(StringComparer.Ordinal)];

    /// <summary>
    /// Compiles every policy of the configuration. Throws <see cref="PolicyException"/>, naming the policy's path,
    /// for a policy of unsupported type (only SIGNATURE and IMPLICIT_META are), a value that does not parse,
    /// an invalid signature policy envelope or implicit-meta rule, or two organisations of a group with the same name.
    /// </summary>
    public static ChannelPolicies Create(ChannelConfig config, MspManager msps)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(msps);
        var byPath = new Dictionary<string, IPolicy>(StringComparer.Ordinal);
        var rootPath = "/" + ChannelGroup;
        var children = new Dictionary<string, PolicyGroup>(StringComparer.Ordinal);
        if (config.Application is { } application)
        {
            children.Add(ApplicationGroup, BuildSection(
                $"{rootPath}/{ApplicationGroup}", application.Organizations, application.Policies, msps, byPath));
        }
        if (config.Orderer is { } orderer)
        {
            children.Add(OrdererGroup, BuildSection(
                $"{rootPath}/{OrdererGroup}", orderer.Organizations, orderer.Policies, msps, byPath));
        }
        var root = BuildGroup(rootPath, children, config.Policies, msps, byPath);
        return new ChannelPolicies(root, byPath, msps);
    }

    /// <summary>The policy at <paramref name="path"/>, or null when there is none.</summary>
    public IPolicy? Find(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return _byPath.GetValueOrDefault(Normalize(path));
    }

    /// <summary>The policy at <paramref name="path"/>; throws <see cref="PolicyException"/> when there is none.</summary>
    public IPolicy Get(string path) =>
        Find(path) ?? throw new PolicyException($"policy {Normalize(path)} does not exist in this channel's configuration");

    /// <summary>Evaluates the policy at <paramref name="path"/>; a missing policy is not satisfied.</summary>
    public PolicyResult Evaluate(string path, IReadOnlyList<SignedData> signatureSet) =>
        Evaluate(path, SignerSet.From(signatureSet, _msps));

    /// <summary>Evaluates the policy at <paramref name="path"/> against verified signers; a missing policy is not satisfied.</summary>
    public PolicyResult Evaluate(string path, SignerSet signers) =>
        (Find(path) ?? new MissingPolicy(Normalize(path))).Evaluate(signers);

    /// <summary>Verifies a signature set once against this channel's MSPs, for evaluating several policies.</summary>
    public SignerSet Verify(IReadOnlyList<SignedData> signatureSet) => SignerSet.From(signatureSet, _msps);

    /// <summary>
    /// The policy a chaincode definition names: its own signature policy (compiled against the channel's
    /// MSPs), or a reference to a channel policy such as <c>/Channel/Application/Endorsement</c>, which must exist.
    /// </summary>
    public IPolicy Resolve(ApplicationPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy.TypeCase switch
        {
            ApplicationPolicy.TypeOneofCase.SignaturePolicy => SignaturePolicyEvaluator.Compile(policy.SignaturePolicy, _msps),
            ApplicationPolicy.TypeOneofCase.ChannelConfigPolicyReference => Get(policy.ChannelConfigPolicyReference),
            _ => throw new PolicyException("application policy is empty: neither a signature policy nor a channel policy reference"),
        };
    }

    private static string Normalize(string path) => path.StartsWith('/') ? path : $"/{ChannelGroup}/{path}";

    private static PolicyGroup BuildSection(
        string path, IEnumerable<Organization> organizations, IDictionary<string, Policy> policies, MspManager msps,
        Dictionary<string, IPolicy> byPath)
    {
        var orgs = new Dictionary<string, PolicyGroup>(StringComparer.Ordinal);
        foreach (var organization in organizations)
        {
            var name = string.IsNullOrEmpty(organization.Name) ? organization.MspId : organization.Name;
            if (string.IsNullOrEmpty(name) || name.Contains('/', StringComparison.Ordinal))
            {
                throw new PolicyException($"{path}: organisation name '{name}' is empty or contains '/'");
            }
            if (orgs.ContainsKey(name))
            {
                throw new PolicyException($"{path}: organisation '{name}' appears twice");
            }
            orgs.Add(name, BuildGroup($"{path}/{name}", new Dictionary<string, PolicyGroup>(), organization.Policies, msps, byPath));
        }
        return BuildGroup(path, orgs, policies, msps, byPath);
    }

    private static PolicyGroup BuildGroup(
        string path, IReadOnlyDictionary<string, PolicyGroup> children, IDictionary<string, Policy> policies, MspManager msps,
        Dictionary<string, IPolicy> byPath)
    {
        var group = new PolicyGroup(path, children);
        foreach (var (name, policy) in policies)
        {
            var policyPath = $"{path}/{name}";
            IPolicy compiled;
            try
            {
                compiled = Compile(policy, children.Values, msps);
            }
            catch (PolicyException ex)
            {
                throw new PolicyException($"policy {policyPath}: {ex.Message}", ex);
            }
            catch (InvalidProtocolBufferException ex)
            {
                throw new PolicyException($"policy {policyPath}: value does not parse: {ex.Message}", ex);
            }
            group.Add(name, compiled);
            byPath.Add(policyPath, compiled);
        }
        return group;
    }

    private static IPolicy Compile(Policy policy, IEnumerable<PolicyGroup> children, MspManager msps)
    {
        switch ((Policy.Types.PolicyType)policy.Type)
        {
            case Policy.Types.PolicyType.Signature:
                return SignaturePolicyEvaluator.Compile(SignaturePolicyEnvelope.Parser.ParseFrom(policy.Value), msps);
            case Policy.Types.PolicyType.ImplicitMeta:
                var definition = ImplicitMetaPolicy.Parser.ParseFrom(policy.Value);
                var subPolicies = children
                    .Select(child => ($"{child.Path}/{definition.SubPolicy}",
                        child.Policies.GetValueOrDefault(definition.SubPolicy) ?? new MissingPolicy($"{child.Path}/{definition.SubPolicy}")))
                    .ToList();
                return new ImplicitMetaPolicyEvaluator(definition, subPolicies);
            default:
                throw new PolicyException($"policy type {policy.Type} is not supported; expected SIGNATURE (1) or IMPLICIT_META (3)");
        }
    }
}
