namespace ZonCoin.Core.Policies;

/// <summary>
/// One config group in the policy tree (<c>/Channel</c>, <c>/Channel/Application</c>,
/// <c>/Channel/Application/Org1</c>, ...): its compiled policies and its child groups.
/// </summary>
public sealed class PolicyGroup
{
    private readonly Dictionary<string, IPolicy> _policies = new(StringComparer.Ordinal);

    internal PolicyGroup(string path, IReadOnlyDictionary<string, PolicyGroup> groups)
    {
        Path = path;
        Name = path[(path.LastIndexOf('/') + 1)..];
        Groups = groups;
    }

    /// <summary>The group's name, the last segment of <see cref="Path"/>.</summary>
    public string Name { get; }

    /// <summary>The absolute path, e.g. <c>/Channel/Application/Org1</c>.</summary>
    public string Path { get; }

    /// <summary>The group's policies by name.</summary>
    public IReadOnlyDictionary<string, IPolicy> Policies => _policies;

    /// <summary>The child groups by name, in configuration order.</summary>
    public IReadOnlyDictionary<string, PolicyGroup> Groups { get; }

    internal void Add(string name, IPolicy policy) => _policies.Add(name, policy);
}
