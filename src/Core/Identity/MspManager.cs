using ZonCoin.Protos.Common;

namespace ZonCoin.Core.Identity;

/// <summary>The MSPs of a channel, by MSP ID: deserializes and validates the identities the channel sees.</summary>
public sealed class MspManager
{
    private readonly Dictionary<string, Msp> _msps;
    private readonly IdentityCache _identities = new();

    public MspManager(IEnumerable<Msp> msps)
    {
        ArgumentNullException.ThrowIfNull(msps);
        _msps = [];
        foreach (var msp in msps)
        {
            if (!_msps.TryAdd(msp.MspId, msp))
            {
                throw new MspConfigurationException($"MSP '{msp.MspId}' is defined twice");
            }
        }
    }

    public IReadOnlyCollection<string> MspIds => _msps.Keys;

    public Msp? Find(string mspId) => _msps.GetValueOrDefault(mspId);

    /// <summary>
    /// Parses an identity (served from a cache for identities seen before) and checks that its MSP is one of the
    /// channel's.
    /// </summary>
    public MspIdentity Deserialize(ReadOnlySpan<byte> serializedIdentity)
    {
        var identity = _identities.GetOrParse(serializedIdentity);
        if (!_msps.ContainsKey(identity.MspId))
        {
            throw new IdentityException(IdentityError.UnknownMsp, identity.MspId,
                $"MSP '{identity.MspId}' is not a member of this channel (known: {string.Join(", ", _msps.Keys.Order(StringComparer.Ordinal))})");
        }
        return identity;
    }

    /// <summary>Parses and validates an identity; see <see cref="Msp.Validate"/>.</summary>
    public MspIdentity DeserializeAndValidate(ReadOnlySpan<byte> serializedIdentity, DateTimeOffset? now = null)
    {
        var identity = Deserialize(serializedIdentity);
        _msps[identity.MspId].Validate(identity, now);
        return identity;
    }

    /// <summary>True when the identity's own MSP says it satisfies the principal.</summary>
    public bool SatisfiesPrincipal(MspIdentity identity, MSPPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return _msps.TryGetValue(identity.MspId, out var msp) && msp.SatisfiesPrincipal(identity, principal);
    }
}
