using Google.Protobuf;
using ZonCoin.Core.Policies;
using ZonCoin.Protos.Common;

namespace ZonCoin.Chaincode.Shim;

/// <summary>Which identities of an organisation count for a <see cref="KeyEndorsementPolicy"/>.</summary>
public enum EndorsementRole
{
    /// <summary>Any member of the organisation (<c>MSPID.member</c>).</summary>
    Member,

    /// <summary>A peer of the organisation (<c>MSPID.peer</c>).</summary>
    Peer,
}

/// <summary>
/// A key-level endorsement policy stated as organisations, as Fabric's shims offer it (Go's
/// <c>statebased.KeyEndorsementPolicy</c>, Node's <c>KeyEndorsementPolicy</c>): every listed organisation must endorse
/// changes to the key. <see cref="GetPolicy"/> gives the bytes that
/// <see cref="IChaincodeStub.SetStateValidationParameterAsync"/> stores, and the constructor reads those of
/// <see cref="IChaincodeStub.GetStateValidationParameterAsync"/>.
/// </summary>
public sealed class KeyEndorsementPolicy
{
    private readonly SortedDictionary<string, EndorsementRole> _organizations = new(StringComparer.Ordinal);

    /// <summary>An empty policy; add organisations with <see cref="AddOrgs"/>.</summary>
    public KeyEndorsementPolicy()
    {
    }

    /// <summary>Reads a stored policy (a serialized <c>SignaturePolicyEnvelope</c> of MEMBER or PEER role principals).</summary>
    /// <exception cref="ArgumentException">The bytes are not such a policy.</exception>
    public KeyEndorsementPolicy(ReadOnlySpan<byte> policy)
    {
        SignaturePolicyEnvelope envelope;
        try
        {
            envelope = SignaturePolicyEnvelope.Parser.ParseFrom(policy);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new ArgumentException($"the key-level endorsement policy does not parse: {ex.Message}", nameof(policy), ex);
        }
        foreach (var identity in envelope.Identities)
        {
            if (identity.PrincipalClassification != MSPPrincipal.Types.Classification.Role)
            {
                throw new ArgumentException($"the key-level endorsement policy names a {identity.PrincipalClassification} principal; only organisation roles are supported", nameof(policy));
            }
            var role = MSPRole.Parser.ParseFrom(identity.Principal);
            _organizations[role.MspIdentifier] = role.Role switch
            {
                MSPRole.Types.MSPRoleType.Member => EndorsementRole.Member,
                MSPRole.Types.MSPRoleType.Peer => EndorsementRole.Peer,
                _ => throw new ArgumentException($"the key-level endorsement policy names the {role.Role} role of {role.MspIdentifier}; only member and peer are supported", nameof(policy)),
            };
        }
    }

    /// <summary>Requires an endorsement of each of <paramref name="mspIds"/> with <paramref name="role"/> (replacing an earlier role).</summary>
    public void AddOrgs(EndorsementRole role, params string[] mspIds)
    {
        ArgumentNullException.ThrowIfNull(mspIds);
        if (!Enum.IsDefined(role))
        {
            throw new ArgumentOutOfRangeException(nameof(role), role, "the role must be Member or Peer");
        }
        foreach (var mspId in mspIds)
        {
            ArgumentException.ThrowIfNullOrEmpty(mspId, nameof(mspIds));
            _organizations[mspId] = role;
        }
    }

    /// <summary>No longer requires endorsements of <paramref name="mspIds"/>.</summary>
    public void DelOrgs(params string[] mspIds)
    {
        ArgumentNullException.ThrowIfNull(mspIds);
        foreach (var mspId in mspIds)
        {
            _organizations.Remove(mspId);
        }
    }

    /// <summary>The organisations whose endorsement is required, in ordinal order.</summary>
    public IReadOnlyList<string> ListOrgs() => [.. _organizations.Keys];

    /// <summary>The policy as stored: all of the listed organisations (n out of n), principals in ordinal order of MSP ID.</summary>
    public byte[] GetPolicy()
    {
        var principals = _organizations.Select(pair => PolicyProtos.RolePrincipal(pair.Key,
            pair.Value == EndorsementRole.Peer ? MSPRole.Types.MSPRoleType.Peer : MSPRole.Types.MSPRoleType.Member)).ToList();
        return PolicyProtos.Envelope(PolicyProtos.NOutOf(principals.Count, principals.Select((_, i) => PolicyProtos.SignedBy(i))), principals).ToByteArray();
    }
}
