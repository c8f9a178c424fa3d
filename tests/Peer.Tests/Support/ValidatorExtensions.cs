using Google.Protobuf;
using ZonCoin.Ledger.State;
using ZonCoin.Peer.Validation;
using ZonCoin.Protos.Common;

namespace ZonCoin.Peer.Tests.Support;

internal static class ValidatorExtensions
{
    /// <summary>
    /// Both validation phases for one envelope, as the committer runs them for a block holding only it: the stateless
    /// checks, then (for an endorser transaction that passed them) the endorsement policies against <paramref name="state"/>.
    /// </summary>
    public static TransactionVerdict ValidateWithPolicies(this TransactionValidator validator, ByteString envelope, IStateDatabase state)
    {
        var verdict = validator.Validate(envelope);
        return verdict is { IsValid: true, Transaction: { Type: HeaderType.EndorserTransaction } transaction }
            ? validator.EndorsementPolicies(state, 1, [transaction]).Validate(transaction, 0)
            : verdict;
    }
}
