using System.Security.Cryptography;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Identity;

namespace ZonCoin.Core.Policies;

/// <summary>
/// The distinct, verified signers of a signature set, as Fabric's <c>SignatureSetToValidIdentities</c> computes
/// them: each entry is deserialized and validated by the channel's MSPs, its signature must verify, and an
/// identity (MSP ID + certificate hash) counts once. Entries that fail are kept only as diagnostics.
/// </summary>
public sealed class SignerSet
{
    private SignerSet(IReadOnlyList<MspIdentity> identities, IReadOnlyList<string> ignored)
    {
        Identities = identities;
        Ignored = ignored;
    }

    /// <summary>The usable signers, in the order they were offered.</summary>
    public IReadOnlyList<MspIdentity> Identities { get; }

    /// <summary>One line per entry that was not counted, with the reason.</summary>
    public IReadOnlyList<string> Ignored { get; }

    /// <summary>
    /// Deserializes, validates (also against the certificates' validity period when <paramref name="now"/> is
    /// given) and verifies every entry once; policies evaluated against the result verify nothing
    /// again, so one signature check serves a whole policy tree. A signature the node made itself over exactly the
    /// entry's data (in <paramref name="own"/>) needs no verification; its identity is still validated.
    /// </summary>
    public static SignerSet From(IReadOnlyList<SignedData> signatureSet, MspManager msps, DateTimeOffset? now = null, OwnSignatures? own = null)
    {
        ArgumentNullException.ThrowIfNull(signatureSet);
        ArgumentNullException.ThrowIfNull(msps);
        var identities = new List<MspIdentity>(signatureSet.Count);
        var ignored = new List<string>();
        var seen = new HashSet<(string MspId, string Id)>();
        for (var i = 0; i < signatureSet.Count; i++)
        {
            var entry = signatureSet[i];
            if (entry?.Identity is null || entry.Data is null || entry.Signature is null)
            {
                ignored.Add($"#{i}: incomplete signed data");
                continue;
            }
            MspIdentity identity;
            try
            {
                identity = msps.DeserializeAndValidate(entry.Identity, now);
            }
            catch (Exception ex) when (ex is IdentityException or CryptographicException)
            {
                ignored.Add($"#{i}: {ex.Message}");
                continue;
            }
            // Fabric records the identity as seen only once its signature verifies, so a bad signature
            // followed by a good one from the same identity still counts.
            if (seen.Contains((identity.MspId, identity.Id)))
            {
                ignored.Add($"#{i}: {identity} signed more than once");
                continue;
            }
            if (own?.Made(entry.Identity, entry.Data, entry.Signature) != true && !Verifies(identity, entry))
            {
                ignored.Add($"#{i}: signature by {identity} does not verify");
                continue;
            }
            seen.Add((identity.MspId, identity.Id));
            identities.Add(identity);
        }
        return new SignerSet(identities, ignored);
    }

    /// <summary>A one-line account of the signers, for failure reasons.</summary>
    public string Describe()
    {
        var counted = Identities.Count == 0 ? "none" : string.Join(", ", Identities.Select(id => id.ToString()));
        var text = $"valid signers: {counted}";
        return Ignored.Count == 0 ? text : $"{text}; ignored: {string.Join("; ", Ignored)}";
    }

    private static bool Verifies(MspIdentity identity, SignedData entry)
    {
        try
        {
            return identity.Verify(entry.Data, entry.Signature);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
